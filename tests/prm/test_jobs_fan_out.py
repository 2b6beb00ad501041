"""Beat jobs fan out one task per tenant: a tenant whose job fails does not
stop the others.  Run by a real Celery worker over real Redis."""

import pytest
from django.core.cache import cache

from prm.celery import app
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.celery_worker import wait_for
from tests.probe_tasks import PROBE, fan_out_probe_all_tenants, ran_key


def _probe_rows(tenant) -> int:
    with tenant_context(tenant.pk):
        return AuditEvent.objects.filter(action="tests.fan_out_probe").count()


@pytest.mark.worker
def test_a_failing_tenant_does_not_stop_the_others(celery_worker, tx_world):
    w = tx_world
    assert w.a.pk < w.b.pk  # A's task is enqueued, and run, first
    fan_out_probe_all_tenants.delay(w.a.slug)
    wait_for(lambda: _probe_rows(w.b) == 1)
    assert cache.get(ran_key(w.a.slug)) == "ran"  # A's job ran, and raised
    assert _probe_rows(w.a) == 0  # its transaction was rolled back


def test_the_fan_out_enqueues_one_task_per_active_tenant(world, eager_tasks):
    world.b.is_active = False
    world.b.save(update_fields=["is_active"])
    assert fan_out_probe_all_tenants("nobody") == 1
    assert (_probe_rows(world.a), _probe_rows(world.b)) == (1, 0)


def test_every_task_has_an_explicit_stable_name():
    """``<app>.<job>``: never the module path, which would change when a file moves."""
    ours = {"prm", "partners", "deals", "incentives", "training", "portal", "tests"}
    names = [n for n in app.tasks if n.split(".")[0] in ours]
    assert PROBE in names and "deals.lead_reroute" in names
    for name in names:
        task = app.tasks[name]
        assert name.count(".") == 1, name
        assert name != f"{task.run.__module__}.{task.run.__name__}", name
