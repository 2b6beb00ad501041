"""Expiry and reminders: set-based, idempotent, one tenant at a time."""

import datetime

from django.core import mail

from deals.models import DealProtection, DealRegistration, DealSettings, DealTransition
from deals.services.expiry import registrations_expire, registrations_remind
from prm.models import AuditEvent, Membership
from prm.tenancy import tenant_context
from tests.deals.setup_deal_data import register

TODAY = datetime.date(2026, 3, 10)
DAY = datetime.timedelta(days=1)


def _due(world):
    with tenant_context(world.a.pk):
        ended = register(world.p, world.p_rep.user, "Initech", protected_until=TODAY - DAY)
        long_ended = register(
            world.q, world.q_rep.user, "Umbrella", protected_until=TODAY - 30 * DAY, domain="u.ex"
        )
        last_day = register(world.p, world.p_rep.user, "Hooli", protected_until=TODAY)
        won = register(
            world.p, world.p_rep.user, "Globex", status="won", protected_until=TODAY - DAY
        )
    with tenant_context(world.b.pk):
        b_ended = register(
            world.b_partner, world.b_rep.user, "Initech", protected_until=TODAY - DAY
        )
    return ended, long_ended, last_day, won, b_ended


def _status(tenant, registration):
    with tenant_context(tenant.pk):
        return DealRegistration.objects.get(pk=registration.pk).status


def test_expiry_ends_only_windows_past_today_and_releases_protection(world):
    ended, long_ended, last_day, won, b_ended = _due(world)
    with tenant_context(world.a.pk):
        assert registrations_expire(today=TODAY) == 2
        assert set(
            DealRegistration.objects.filter(status="expired").values_list("pk", flat=True)
        ) == {ended.pk, long_ended.pk}
        assert not DealProtection.objects.filter(registration__in=[ended, long_ended]).exists()
        assert DealProtection.objects.filter(registration=last_day).exists()
        history = DealTransition.objects.get(registration=ended)
        assert (history.from_status, history.to_status, history.by_id, history.reason) == (
            "approved",
            "expired",
            None,
            "Protection window ended",
        )
        audit = AuditEvent.objects.get(action="registrations.expired")
        assert audit.data["count"] == 2
    assert _status(world.a, last_day) == "approved"
    assert _status(world.a, won) == "won"
    assert _status(world.b, b_ended) == "approved"


def test_running_expiry_twice_expires_each_registration_once(world):
    ended, long_ended, *_rest = _due(world)
    with tenant_context(world.a.pk):
        assert registrations_expire(today=TODAY) == 2
        assert registrations_expire(today=TODAY) == 0
        assert registrations_expire(today=TODAY + 5 * DAY) == 1  # Hooli, a later day
        assert (
            DealTransition.objects.filter(
                registration__in=[ended, long_ended], to_status="expired"
            ).count()
            == 2
        )
        assert AuditEvent.objects.filter(action="registrations.expired").count() == 2


def test_the_worlds_registration_with_a_future_window_is_untouched(world):
    with tenant_context(world.a.pk):
        assert registrations_expire(today=TODAY) == 0
        assert DealRegistration.objects.filter(status="approved").count() == 1


def _reminder_set(world):
    with tenant_context(world.a.pk):
        DealSettings.objects.update(reminder_days=7)
        soon = register(world.p, world.p_rep.user, "Initech", protected_until=TODAY + 3 * DAY)
        also_soon = register(world.p, world.p_rep.user, "Hooli", protected_until=TODAY + 7 * DAY)
        later = register(world.p, world.p_rep.user, "Wayne", protected_until=TODAY + 8 * DAY)
        q_soon = register(world.q, world.q_rep.user, "Umbrella", protected_until=TODAY)
        ended = register(world.q, world.q_rep.user, "Stark", protected_until=TODAY - DAY)
    with tenant_context(world.b.pk):
        DealSettings.objects.update(reminder_days=7)
        register(world.b_partner, world.b_rep.user, "Initech", protected_until=TODAY + DAY)
    return soon, also_soon, later, q_soon, ended


def test_reminders_go_once_per_person_listing_their_registrations(
    world, django_capture_on_commit_callbacks, eager_tasks
):
    soon, also_soon, later, q_soon, ended = _reminder_set(world)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with tenant_context(world.a.pk):
            assert registrations_remind(today=TODAY) == 3
    assert len(callbacks) == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == ["rep@p.test", "rep@q.test"]
    p_mail = by_address["rep@p.test"]
    assert "Initech" in p_mail.body and "Hooli" in p_mail.body and "Wayne" not in p_mail.body
    assert "protected until 03/13/2026" in p_mail.body  # the short date, in English
    assert "/t/vendor-a/" in p_mail.body
    assert "Umbrella" not in p_mail.body  # Q's deal is never shown to P
    assert "Umbrella" in by_address["rep@q.test"].body
    assert "Vendor A" in p_mail.subject
    with tenant_context(world.a.pk):
        soon.refresh_from_db()
        later.refresh_from_db()
    assert soon.reminder_sent_for == soon.protected_until and later.reminder_sent_for is None


def test_running_reminders_twice_sends_one_mail_and_an_extension_earns_another(
    world, django_capture_on_commit_callbacks, eager_tasks
):
    soon, *_rest = _reminder_set(world)
    for _attempt in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            with tenant_context(world.a.pk):
                registrations_remind(today=TODAY)
    assert len(mail.outbox) == 2
    with tenant_context(world.a.pk):
        assert registrations_remind(today=TODAY) == 0
        DealRegistration.objects.filter(pk=soon.pk).update(
            protected_until=TODAY + 5 * DAY, reminder_sent_for=None
        )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with tenant_context(world.a.pk):
            assert registrations_remind(today=TODAY) == 1
    assert [m.to for m in mail.outbox] == [["rep@p.test"]]
    assert "Hooli" not in mail.outbox[0].body


def test_a_departed_registrant_is_replaced_by_the_partner_admins(
    world, django_capture_on_commit_callbacks, eager_tasks
):
    _reminder_set(world)
    with tenant_context(world.a.pk):
        Membership.objects.filter(pk=world.p_rep.pk).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        with tenant_context(world.a.pk):
            registrations_remind(today=TODAY)
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@p.test", "rep@q.test"]


def test_zero_reminder_days_turns_reminders_off(world, django_capture_on_commit_callbacks):
    _reminder_set(world)
    with tenant_context(world.a.pk):
        DealSettings.objects.update(reminder_days=0)
        with django_capture_on_commit_callbacks() as callbacks:
            assert registrations_remind(today=TODAY) == 0
    assert callbacks == []


def test_the_tenant_task_run_twice_expires_once_and_reminds_once(
    world, django_capture_on_commit_callbacks, eager_tasks
):
    from django.utils import timezone

    from deals.tasks.expiry import registrations_expire_tenant

    today = timezone.localdate()
    with tenant_context(world.a.pk):
        ended = register(world.p, world.p_rep.user, "Initech", protected_until=today - DAY)
        register(world.p, world.p_rep.user, "Hooli", protected_until=today + 3 * DAY)
    with django_capture_on_commit_callbacks(execute=True):
        first = registrations_expire_tenant(world.a.pk)
        second = registrations_expire_tenant(world.a.pk)
    assert first == {"reminded": 1, "expired": 1}
    assert second == {"reminded": 0, "expired": 0}
    assert len(mail.outbox) == 1 and "Hooli" in mail.outbox[0].body
    with tenant_context(world.a.pk):
        assert DealTransition.objects.filter(registration=ended).count() == 1
