"""Every business action is guarded: a test over every public service function.

Each public function of an app's ``services`` must be declared with
``prm.actions``: guarded by a named policy (it takes ``by: Membership`` and
refuses, before doing anything, a membership whose role lacks the policy —
checked here for every such role), system-only (no ``by``), or open to
non-members with a stated reason.  A new service without a declaration
fails here.
"""

import importlib
import inspect
import pkgutil

import pytest

from prm.actions import GUARDED, OPEN, SYSTEM_ONLY
from prm.actors import SYSTEM
from prm.models import Membership
from prm.policies import NotAllowed
from prm.roles import Role

APPS = ["prm", "partners", "deals", "incentives", "training"]


def _service_modules():
    for app in APPS:
        try:
            package = importlib.import_module(f"{app}.services")
        except ModuleNotFoundError:
            continue
        yield package
        if hasattr(package, "__path__"):
            for info in pkgutil.iter_modules(package.__path__):
                yield importlib.import_module(f"{package.__name__}.{info.name}")


def _public_functions():
    for module in _service_modules():
        for name, obj in vars(module).items():
            if (
                inspect.isfunction(obj)
                and obj.__module__ == module.__name__
                and not name.startswith("_")
            ):
                yield f"{module.__name__}.{name}", obj


FUNCTIONS = dict(_public_functions())


def _rule(func):
    return getattr(func, "action_rule", None)


def _guarded():
    return {name: f for name, f in FUNCTIONS.items() if getattr(_rule(f), "kind", None) == GUARDED}


def _refusals():
    """(service, role) for every role that lacks the service's policy."""
    return [
        (name, role)
        for name, func in sorted(_guarded().items())
        for role in Role.values
        if role not in _rule(func).policy.roles
    ]


def _call_with(func, by):
    """Call with ``by`` and a placeholder for every other parameter: a guard that
    runs first refuses before any placeholder is used."""
    params = inspect.signature(func).parameters
    others = {
        name: object()
        for name, p in params.items()
        if name != "by"
        and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
        and p.default is p.empty
    }
    return func(by=by, **others)


def test_the_services_are_found():
    assert "prm.services.invitation_create" in FUNCTIONS
    assert "deals.services.registrations.registration_approve" in FUNCTIONS
    assert len(FUNCTIONS) > 60


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_service_declares_who_may_take_it(name):
    func = FUNCTIONS[name]
    rule = _rule(func)
    assert rule is not None, f"{name} is neither guarded by a policy nor declared system-only"
    params = inspect.signature(func).parameters
    if rule.kind == GUARDED:
        by = params.get("by")
        assert by is not None and by.kind == by.KEYWORD_ONLY, f"{name} must take by=… keyword"
        assert "Membership" in str(by.annotation), f"{name}: annotate by as Membership"
    elif rule.kind == SYSTEM_ONLY:
        assert "by" not in params, f"{name} is system-only and takes no acting person"
    else:
        assert rule.kind == OPEN and rule.reason, f"{name}: say what guards an open action"


@pytest.mark.parametrize("name, role", _refusals())
def test_a_membership_lacking_the_policy_is_refused(name, role):
    func = FUNCTIONS[name]
    with pytest.raises(NotAllowed):
        _call_with(func, Membership(role=role, is_active=True))


@pytest.mark.parametrize("name", sorted(_guarded()))
def test_an_inactive_membership_and_the_system_are_refused_unless_allowed(name):
    func = FUNCTIONS[name]
    rule = _rule(func)
    allowed_role = sorted(rule.policy.roles)[0]
    with pytest.raises(NotAllowed):
        _call_with(func, Membership(role=allowed_role, is_active=False))
    if not rule.system:
        with pytest.raises(NotAllowed):
            _call_with(func, SYSTEM)
