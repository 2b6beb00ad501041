"""Points for real: two redemptions racing on two database connections for
points that cover only one, and the expiry job run twice by a real Celery
worker, which expires each lot once and notifies one reminder once."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incentives.models import PointsBalance, PointsEntry, PointsReminder, Redemption
from incentives.notifications import POINTS_EXPIRING
from incentives.points_ledger import balance_lock, entry_write
from incentives.services.points import points_settings_save
from incentives.services.rewards import redemption_request
from incentives.tasks import points as tasks
from prm.models import Notification, OutboxMessage
from prm.tenancy import tenant_context
from tests.celery_worker import wait_for
from tests.concurrency import run_together
from tests.incentives.setup_points import balance_of, give, reward

pytestmark = pytest.mark.worker


def test_two_redemptions_racing_for_the_same_points_end_with_one_refused(tx_world):
    w = tx_world
    with tenant_context(w.a.pk):
        give(w.p_rep, 100)
        laptop, headset = reward(cost=70), reward(cost=60)

    def redeem(item):
        def job():
            with tenant_context(w.a.pk):
                try:
                    redemption_request(reward=item, by=w.p_rep)
                    return "redeemed"
                except ValidationError as error:
                    return error.messages[0]

        return job

    outcomes = run_together(redeem(laptop), redeem(headset))
    assert outcomes.count("redeemed") == 1
    (refusal,) = [o for o in outcomes if o != "redeemed"]
    assert refusal.startswith("You have 30 points;") or refusal.startswith("You have 40 points;")
    assert refusal.endswith("Nothing was redeemed.")
    with tenant_context(w.a.pk):
        (won,) = Redemption.objects.filter(membership=w.p_rep)
        assert balance_of(w.p_rep, w.p) == (100 - won.cost, won.cost)
        assert PointsEntry.objects.filter(membership=w.p_rep, kind="redeemed").count() == 1


def _expired(w):
    with tenant_context(w.a.pk):
        return list(
            PointsEntry.objects.filter(kind="expired", membership__in=[w.p_rep, w.q_rep])
            .order_by("membership_id", "lot_id")
            .values_list("membership_id", "lot_id", "points")
        )


def test_the_expiry_job_run_twice_by_the_worker_expires_each_lot_once_and_reminds_once(
    celery_worker, tx_world
):
    w = tx_world
    today = timezone.localdate()
    with tenant_context(w.a.pk):
        points_settings_save(
            expire_after="10", expire_unit="days", reminder_days="7", by=w.vendor_admin
        )
        # Lots as if earned long ago: past their expiry date, and one expiring soon.
        old_p = lot(w.p_rep, w.p, 40, today - datetime.timedelta(days=1), source_id=1)
        old_q = lot(w.q_rep, w.q, 25, today, source_id=2)
        lot(w.p_rep, w.p, 15, today + datetime.timedelta(days=5), source_id=3)

    tasks.points_expire.delay(w.a.pk)
    tasks.points_expire.delay(w.a.pk)  # delivered twice
    wait_for(lambda: len(_expired(w)) == 2)
    # The worker runs one task at a time: once a later task is visible, both ran.
    tasks.points_expire.delay(w.b.pk)
    celery_worker.wait_until_idle()
    assert _expired(w) == sorted([(w.p_rep.pk, old_p.pk, -40), (w.q_rep.pk, old_q.pk, -25)])
    with tenant_context(w.a.pk):
        assert balance_of(w.p_rep, w.p) == (15, 0)
        assert balance_of(w.q_rep, w.q) == (0, 0)
        reminders = list(PointsReminder.objects.filter(membership=w.p_rep).values_list("points"))
        assert reminders == [(15,)]
        assert not PointsReminder.objects.filter(membership=w.q_rep).exists()
        (reminder,) = PointsReminder.objects.filter(membership=w.p_rep)
        (note,) = Notification.objects.filter(kind=POINTS_EXPIRING)
        assert (note.recipient_id, note.event) == (w.p_rep.pk, f"points_reminder:{reminder.pk}")
        assert PointsBalance.objects.filter(balance__lt=0).count() == 0
    with tenant_context(w.b.pk):
        assert not Notification.objects.filter(kind=POINTS_EXPIRING).exists()
    # Its e-mail went out once, by a message of its own, and was delivered.
    sent = wait_for(lambda: (m := _notification_emails(w)) and all(d for _a, d in m) and m)
    assert sent == [([note.pk], sent[0][1])]
    with tenant_context(w.a.pk):
        assert Notification.objects.get(pk=note.pk).emailed_at is not None


def _notification_emails(w):
    with tenant_context(w.a.pk):
        return list(
            OutboxMessage.objects.filter(task_name="prm.notification_email").values_list(
                "args", "delivered_at"
            )
        )


def lot(person, partner, points, expires_on, *, source_id):
    with transaction.atomic():
        balance = balance_lock(membership_id=person.pk, partner_id=partner.pk)
        return entry_write(
            balance,
            kind="earned",
            points=points,
            event="deal_registered",
            source_id=source_id,
            expires_on=expires_on,
        )
