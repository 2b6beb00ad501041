"""Notification e-mails sent by a real Celery worker through the outbox: an
immediate one is e-mailed once even when its task is delivered twice, and the
daily digest run twice queues one e-mail per person, inside its tenant."""

import pytest

from deals.notifications import REGISTRATION_APPROVED
from deals.services.registrations import registration_approve
from prm.models import EmailChoice, Notification, NotificationPreference, OutboxMessage
from prm.tasks import notification_email, notifications_digest, notifications_digest_all_tenants
from prm.tenancy import tenant_context
from tests.celery_worker import wait_for
from tests.deals.setup_deal_data import register

pytestmark = pytest.mark.worker


def _approve(world, tenant, partner, person, approver, name):
    with tenant_context(tenant.pk):
        registration = register(partner, person.user, name, status="submitted")
        registration_approve(registration=registration, by=approver)
        return Notification.objects.exclude(event="fill").get(
            recipient=person, kind=REGISTRATION_APPROVED
        )


def test_an_immediate_notification_is_emailed_once_by_the_worker(celery_worker, tx_world):
    w = tx_world
    notification = _approve(w, w.a, w.p, w.p_rep, w.channel_manager, "Globex")

    def emailed():
        with tenant_context(w.a.pk):
            return Notification.objects.get(pk=notification.pk).emailed_at

    first = wait_for(emailed)
    notification_email.delay(w.a.pk, notification.pk)  # delivered again
    notification_email.delay(w.b.pk, notification.pk)  # and from the wrong tenant
    notifications_digest.delay(w.a.pk)  # the worker runs one task at a time
    wait_for(lambda: _digest_ran(w.a))
    assert emailed() == first  # not sent again
    with tenant_context(w.a.pk):
        sent = OutboxMessage.objects.filter(task_name="prm.notification_email")
        assert [m.args for m in sent] == [[notification.pk]]
        assert sent.get().delivered_at is not None


def _digest_ran(tenant):
    with tenant_context(tenant.pk):
        return not Notification.objects.filter(
            email=EmailChoice.DIGEST, emailed_at__isnull=True
        ).exists()


def _digests(tenant):
    with tenant_context(tenant.pk):
        return list(
            OutboxMessage.objects.filter(
                task_name="prm.email_send", args__0__icontains="since yesterday"
            ).values_list("args", flat=True)
        )


def test_the_digest_run_twice_sends_one_email_per_person_per_tenant(celery_worker, tx_world):
    w = tx_world
    for tenant, person in ((w.a, w.p_rep), (w.b, w.b_rep)):
        with tenant_context(tenant.pk):
            NotificationPreference.objects.update_or_create(
                membership=person, kind=REGISTRATION_APPROVED, defaults={"email": "digest"}
            )
    _approve(w, w.a, w.p, w.p_rep, w.channel_manager, "Globex")
    with tenant_context(w.a.pk):
        registration = register(w.p, w.p_rep.user, "Initech", status="submitted")
        registration_approve(registration=registration, by=w.channel_manager)
    _approve(w, w.b, w.b_partner, w.b_rep, w.b_admin, "Umbrella")

    notifications_digest.delay(w.a.pk)
    notifications_digest.delay(w.a.pk)  # delivered twice
    wait_for(lambda: _digest_ran(w.a))
    assert not _digest_ran(w.b)  # B waits for its own run
    notifications_digest_all_tenants.delay()
    wait_for(lambda: _digest_ran(w.b))
    wait_for(lambda: len(_digests(w.a)) == 1 and len(_digests(w.b)) == 1)
    ((subject, body, to),) = _digests(w.a)
    assert to == ["rep@p.test"] and "2 updates" in subject
    assert "Globex" in body and "Initech" in body and "Umbrella" not in body
    ((_subject, b_body, b_to),) = _digests(w.b)
    assert b_to == ["rep@b.test"] and "Umbrella" in b_body
