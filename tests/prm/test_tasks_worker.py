"""Tasks run by a real Celery worker over real Redis stay inside their tenant."""

from datetime import timedelta

import pytest
from django.utils import timezone

from prm import tasks
from prm.models import Invitation
from prm.tenancy import tenant_context
from tests.celery_worker import wait_for

pytestmark = pytest.mark.worker


def _invitation(world_tenant, pk) -> Invitation:
    with tenant_context(world_tenant.pk):
        return Invitation.objects.get(pk=pk)


def _make_overdue(tenant, pk):
    with tenant_context(tenant.pk):
        Invitation.objects.filter(pk=pk).update(expires_at=timezone.now() - timedelta(hours=1))


def test_expiry_task_for_a_touches_only_a(celery_worker, tx_world):
    w = tx_world
    _make_overdue(w.a, w.a_invitation.pk)
    _make_overdue(w.b, w.b_invitation.pk)
    tasks.invitations_expire.delay(w.a.pk)
    wait_for(lambda: _invitation(w.a, w.a_invitation.pk).status == "expired")
    assert _invitation(w.b, w.b_invitation.pk).status == "pending"


def test_a_task_given_a_but_bs_row_cannot_write_it(celery_worker, tx_world):
    w = tx_world
    tasks.invitation_send.delay(w.a.pk, w.b_invitation.pk)  # B's id smuggled under A
    tasks.invitation_send.delay(w.a.pk, w.a_invitation.pk)
    # The worker is single-threaded: once A's row shows the send, the smuggled
    # task (queued before it) has already run.
    wait_for(lambda: _invitation(w.a, w.a_invitation.pk).sent_count == 1)
    b = _invitation(w.b, w.b_invitation.pk)
    assert (b.sent_count, b.last_sent_at) == (0, None)


def test_the_beat_job_runs_every_tenant_in_its_own_context(celery_worker, tx_world):
    w = tx_world
    _make_overdue(w.a, w.a_invitation.pk)
    _make_overdue(w.b, w.b_invitation.pk)
    tasks.invitations_expire_all_tenants.delay()
    wait_for(
        lambda: (
            _invitation(w.a, w.a_invitation.pk).status == "expired"
            and _invitation(w.b, w.b_invitation.pk).status == "expired"
        )
    )


def test_health_reports_database_redis_and_worker(celery_worker, client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok" and body["redis"] == "ok"
    assert body["worker"] == "ok" and body["workers"] >= 1
