"""Declaring business actions, so that none is left unguarded.

Every public function of an app's ``services`` is one of:

- ``@action(policy)``: taken by a person; ``by`` is their membership, which
  must hold the policy, checked before anything else runs.  With
  ``system=True`` the system (``prm.actors.SYSTEM``) may take it as well,
  e.g. a scheduled job or a follow-up of another action;
- ``@system_action``: only the system takes it (scheduled jobs, task bodies);
  it takes no ``by``;
- ``@open_action(reason)``: taken by someone who is not a member of the
  tenant, e.g. the invitee accepting an invitation, or a firm applying on the
  public page; the reason says what stands guard instead.

A test enumerates every service and fails on one that is none of these.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .actors import SystemActor
from .policies import NotAllowed, Policy

GUARDED, SYSTEM_ONLY, OPEN = "guarded", "system", "open"


@dataclass(frozen=True)
class ActionRule:
    kind: str
    policy: Policy | None = None
    system: bool = False
    reason: str = ""


def action(policy: Policy, *, system: bool = False):
    def decorate(func):
        @functools.wraps(func)
        def guarded(*args, by, **kwargs):
            if isinstance(by, SystemActor):
                if not system:
                    raise NotAllowed(_("Only a person may do this."))
            else:
                policy.require(by)
            return func(*args, by=by, **kwargs)

        guarded.action_rule = ActionRule(GUARDED, policy=policy, system=system)
        return guarded

    return decorate


def system_action(func):
    func.action_rule = ActionRule(SYSTEM_ONLY)
    return func


def open_action(reason: str):
    def decorate(func):
        func.action_rule = ActionRule(OPEN, reason=reason)
        return func

    return decorate
