"""The expiry tasks, run by a real Celery worker, stay inside their tenant."""

import datetime

import pytest
from django.utils import timezone

from deals.models import DealProtection, DealRegistration, DealTransition
from deals.tasks import expiry as tasks_expiry
from prm.tenancy import tenant_context
from tests.celery_worker import wait_for
from tests.deals.setup_deal_data import register

pytestmark = pytest.mark.worker


def _ended(world):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with tenant_context(world.a.pk):
        a = register(world.p, world.p_rep.user, "Initech", protected_until=yesterday)
    with tenant_context(world.b.pk):
        b = register(world.b_partner, world.b_rep.user, "Initech", protected_until=yesterday)
    return a, b


def _state(tenant, registration):
    with tenant_context(tenant.pk):
        return (
            DealRegistration.objects.get(pk=registration.pk).status,
            DealProtection.objects.filter(registration_id=registration.pk).count(),
            DealTransition.objects.filter(registration_id=registration.pk).count(),
        )


def test_the_task_for_a_expires_only_as_registrations(celery_worker, tx_world):
    w = tx_world
    a, b = _ended(w)
    tasks_expiry.registrations_expire_tenant.delay(w.a.pk)
    tasks_expiry.registrations_expire_tenant.delay(w.a.pk)  # delivered twice
    wait_for(lambda: _state(w.a, a)[0] == "expired")
    assert _state(w.b, b) == ("approved", 1, 0)
    # The worker runs one task at a time: once a later task is visible, both ran.
    tasks_expiry.registrations_expire_tenant.delay(w.b.pk)
    wait_for(lambda: _state(w.b, b)[0] == "expired")
    assert _state(w.a, a) == ("expired", 0, 1)


def test_the_beat_job_runs_every_tenant(celery_worker, tx_world):
    w = tx_world
    a, b = _ended(w)
    tasks_expiry.registrations_expire_all_tenants.delay()
    wait_for(lambda: _state(w.a, a)[0] == "expired" and _state(w.b, b)[0] == "expired")
    with tenant_context(w.a.pk):
        # The world's registration, protected until 2030, is untouched.
        assert DealRegistration.objects.filter(status="approved").count() == 1
