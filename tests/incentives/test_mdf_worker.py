"""The MDF deadline job, run by a real Celery worker: delivered twice, it
expires each fund and request once and notifies each reminder once (one
e-mail per recipient), and it stays inside its tenant."""

import datetime
from decimal import Decimal as D

import pytest

from incentives.models import MdfEntry, MdfRequest
from incentives.notifications import MDF_CLAIM_DUE
from incentives.tasks import mdf as mdf_tasks
from prm.models import Notification, OutboxMessage
from prm.tenancy import tenant_context
from tests.celery_worker import wait_for
from tests.incentives.setup_mdf import approved_request, balances, fund, mdf_program, today

pytestmark = pytest.mark.worker


def _deadlines(tenant, partner, person):
    """A fund whose period ended, an approved request whose window closed, and
    one whose window closes within the reminder days."""
    with tenant_context(tenant.pk):
        mdf = mdf_program(calendar="quarterly", claim_window_days=30, reminder_days=14)
        ended = fund(mdf, partner, "1000.00", day=today() - datetime.timedelta(days=100))
        current = fund(mdf, partner, "2000.00")
        stale = approved_request(
            mdf, person, "400.00", starts=today() - datetime.timedelta(days=40)
        )
        due = approved_request(mdf, person, "300.00", starts=today() - datetime.timedelta(days=20))
    return ended, current, stale, due


def _state(tenant, ended, stale):
    with tenant_context(tenant.pk):
        return (
            balances(ended)["expired"],
            MdfRequest.objects.get(pk=stale.pk).status,
            MdfEntry.objects.filter(
                fund__program_id=ended.program_id, kind__in=["expire_funds", "expire_request"]
            ).count(),
        )


def _reminders(tenant):
    """The claim-due notifications of the tenant: their recipients' addresses,
    whether they were e-mailed, and the outbox messages that carried them."""
    with tenant_context(tenant.pk):
        notes = list(
            Notification.objects.filter(kind=MDF_CLAIM_DUE)
            .order_by("recipient__user__email")
            .values_list("pk", "recipient__user__email", "event", "emailed_at")
        )
        messages = list(
            OutboxMessage.objects.filter(task_name="prm.notification_email").values_list(
                "args", "delivered_at"
            )
        )
    return notes, messages


def test_delivered_twice_it_expires_once_and_reminds_once(celery_worker, tx_world):
    w = tx_world
    ended, current, stale, due = _deadlines(w.a, w.p, w.p_rep)
    b_ended, _b_current, b_stale, _b_due = _deadlines(w.b, w.b_partner, w.b_rep)
    mdf_tasks.mdf_expire.delay(w.a.pk)
    mdf_tasks.mdf_expire.delay(w.a.pk)  # delivered twice
    wait_for(lambda: _state(w.a, ended, stale)[1] == "expired")
    # The worker runs one task at a time: once a later task is visible, both ran.
    mdf_tasks.mdf_expire.delay(w.b.pk)
    wait_for(lambda: _state(w.b, b_ended, b_stale)[1] == "expired")
    assert _state(w.a, ended, stale) == (D("1000.00"), "expired", 2)
    with tenant_context(w.a.pk):
        assert balances(current)["expired"] == D("400.00")
        assert MdfRequest.objects.get(pk=due.pk).reminded_at is not None
    # The reminder for the due request went to its requester (a rep of P) and
    # P's admin, once each, each e-mailed by a message of its own, delivered.
    event = f"mdf_request:{due.pk}:claim_due:{due.claim_deadline.isoformat()}"

    def delivered():
        notes, messages = _reminders(w.a)
        done = notes and all(emailed for *_n, emailed in notes)
        return done and all(at for _args, at in messages) and (notes, messages)

    notes, messages = wait_for(delivered)
    assert [(email, e) for _pk, email, e, _at in notes] == [
        ("admin@p.test", event),
        ("rep@p.test", event),
    ]
    claim_due = sorted([pk] for pk, *_rest in notes)
    assert sorted(args for args, _at in messages if args in claim_due) == claim_due
    # Tenant B's run told B's own requester of B's request, and nobody else.
    b_notes, _b_messages = _reminders(w.b)
    assert [email for _pk, email, _e, _at in b_notes] == ["rep@b.test"]


def test_the_beat_job_runs_every_tenant(celery_worker, tx_world):
    w = tx_world
    ended, _current, stale, _due = _deadlines(w.a, w.p, w.p_rep)
    b_ended, _b_current, b_stale, _b_due = _deadlines(w.b, w.b_partner, w.b_rep)
    mdf_tasks.mdf_expire_all_tenants.delay()
    wait_for(
        lambda: (
            _state(w.a, ended, stale)[1] == "expired"
            and _state(w.b, b_ended, b_stale)[1] == "expired"
        )
    )
