"""The tier evaluation tasks: a real worker evaluates one tenant only; the beat
job evaluates every active tenant, each in its own context."""

from datetime import date

import pytest
from django.utils import timezone

from partners.models import TierEvaluation
from partners.tasks import tiers as tasks_tiers
from prm.models import Tenant
from prm.tenancy import tenant_context
from tests.celery_worker import wait_for

DAY = date(2031, 5, 4)


def _evaluated(tenant, on) -> set[int]:
    with tenant_context(tenant.pk):
        return set(
            TierEvaluation.objects.filter(evaluated_on=on).values_list("partner_id", flat=True)
        )


@pytest.mark.worker
def test_the_task_for_a_writes_evaluations_only_in_a(celery_worker, tx_world):
    w = tx_world
    tasks_tiers.tiers_evaluate.delay(w.a.pk, DAY.isoformat())
    wait_for(lambda: _evaluated(w.a, DAY) == {w.p.pk, w.q.pk})
    # The run is one transaction: once A's rows are visible the task is done.
    assert _evaluated(w.b, DAY) == set()


def test_the_task_runs_inside_the_given_tenant(world):
    summary = tasks_tiers.tiers_evaluate(world.b.pk, DAY.isoformat())
    assert summary["evaluated"] == 1
    assert _evaluated(world.b, DAY) == {world.b_partner.pk}
    assert _evaluated(world.a, DAY) == set()


def _recorded_metrics(tenant, on) -> dict[int, dict]:
    with tenant_context(tenant.pk):
        return dict(
            TierEvaluation.objects.filter(evaluated_on=on).values_list("partner_id", "metrics")
        )


def test_the_beat_job_evaluates_every_active_tenant(world, eager_tasks):
    today = timezone.localdate()
    # The world holds one placeholder evaluation of today per tenant, without figures.
    assert _recorded_metrics(world.b, today) == {world.b_partner.pk: {}}
    Tenant.objects.filter(pk=world.b.pk).update(is_active=False)
    assert tasks_tiers.tiers_evaluate_all_tenants() == 1  # one task per active tenant
    assert _recorded_metrics(world.a, today) == {
        world.p.pk: {"active_people": "2"},
        world.q.pk: {"active_people": "1"},
    }
    assert _recorded_metrics(world.b, today) == {world.b_partner.pk: {}}
    Tenant.objects.filter(pk=world.b.pk).update(is_active=True)
    assert tasks_tiers.tiers_evaluate_all_tenants() == 2
    assert _recorded_metrics(world.b, today) == {world.b_partner.pk: {"active_people": "1"}}


def test_the_beat_job_keeps_its_registered_name():
    from prm.settings.celery import CELERY_BEAT_SCHEDULE

    name = CELERY_BEAT_SCHEDULE["evaluate-tiers"]["task"]
    assert tasks_tiers.tiers_evaluate_all_tenants.name == name
