"""The notification service: once per event and recipient, e-mail at once or
in the daily digest as each person chose, one address per message, and the
inbox with its unread count."""

from django.core import mail
from django.urls import reverse

from deals.notifications import REGISTRATION_APPROVED, REGISTRATION_MORE_INFO
from deals.services import registrations as deals
from prm.models import EmailChoice, Notification, NotificationPreference
from prm.notifications import notify
from prm.services.notifications import notifications_digest_send
from prm.tenancy import tenant_context
from tests.deals.setup_deal_data import register


def _submitted(world, name="Globex"):
    with tenant_context(world.a.pk):
        return register(world.p, world.p_rep.user, name, status="submitted")


def _mine(membership):
    """The person's notifications, without the isolation fill's example row."""
    with tenant_context(membership.tenant_id):
        rows = Notification.objects.filter(recipient=membership).exclude(event="fill")
        return list(rows.order_by("pk"))


def test_an_approval_notifies_the_registrant_once_and_emails_only_them(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    registration = _submitted(world)
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.pk):
        deals.registration_approve(registration=registration, by=world.channel_manager)
    (notification,) = _mine(world.p_rep)
    assert notification.kind == REGISTRATION_APPROVED
    assert _mine(world.p_admin) == [] and _mine(world.q_rep) == []
    (message,) = mail.outbox
    assert message.to == ["rep@p.test"] and not message.cc and not message.bcc
    assert "Globex is approved" in message.subject
    assert f"/portal/registrations/{registration.pk}/" in message.body
    assert _mine(world.p_rep)[0].emailed_at is not None


def test_notifying_twice_of_one_event_is_one_notification_and_one_email(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.pk):
        for _ in range(2):
            notify(
                REGISTRATION_APPROVED,
                recipients=[world.p_rep.pk, world.p_rep.pk],
                event="registration:1:approved:t",
                params={"customer": "Globex", "protected_until": "2027-01-01"},
            )
    assert len(_mine(world.p_rep)) == 1
    assert len(mail.outbox) == 1


def test_a_role_that_never_gets_the_kind_is_left_out(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    with tenant_context(world.a.pk):
        written = notify(
            REGISTRATION_APPROVED,
            recipients=[world.finance.pk, world.p_rep.pk],
            event="e",
            params={"customer": "X", "protected_until": ""},
        )
    assert len(written) == 1 and _mine(world.finance) == []


def test_the_question_is_in_the_email_of_more_information_needed(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    registration = _submitted(world)
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.pk):
        deals.registration_request_info(
            registration=registration, by=world.channel_manager, reason="Which site is it for?"
        )
    (notification,) = _mine(world.p_rep)
    assert notification.kind == REGISTRATION_MORE_INFO
    (message,) = mail.outbox
    assert "Which site is it for?" in message.body


def test_a_digest_preference_waits_for_the_daily_digest_then_sends_once(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.pk):
        NotificationPreference.objects.create(
            membership=world.p_rep, kind=REGISTRATION_APPROVED, email=EmailChoice.DIGEST
        )
        for name in ("Globex", "Initech"):
            deals.registration_approve(
                registration=register(world.p, world.p_rep.user, name, status="submitted"),
                by=world.channel_manager,
            )
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.pk):
        assert notifications_digest_send() == 1
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.pk):
        assert notifications_digest_send() == 0
    (digest,) = mail.outbox
    assert digest.to == ["rep@p.test"]
    assert "2 updates" in digest.subject
    assert "Globex" in digest.body and "Initech" in digest.body


def test_no_email_preference_keeps_it_in_the_inbox_only(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.pk):
        NotificationPreference.objects.create(
            membership=world.p_rep, kind=REGISTRATION_APPROVED, email=EmailChoice.NONE
        )
        deals.registration_approve(
            registration=register(world.p, world.p_rep.user, "Globex", status="submitted"),
            by=world.channel_manager,
        )
        assert notifications_digest_send() == 0
    assert len(_mine(world.p_rep)) == 1 and mail.outbox == []


def test_the_inbox_shows_unread_and_opening_one_reads_it_and_goes_to_its_page(client, world):
    registration = _submitted(world)
    with tenant_context(world.a.pk):
        deals.registration_approve(registration=registration, by=world.channel_manager)
    (notification,) = _mine(world.p_rep)
    client.force_login(world.p_rep.user)
    inbox = reverse("portal:notifications", kwargs={"tenant_slug": world.a.slug})
    page = client.get(inbox).content.decode()
    assert "Your registration for Globex is approved" in page
    assert "1 unread notification" in page
    opened = client.get(
        reverse(
            "portal:notification_open",
            kwargs={"tenant_slug": world.a.slug, "notification_id": notification.pk},
        )
    )
    assert opened.status_code == 302
    assert opened["Location"] == reverse(
        "portal:registration",
        kwargs={"tenant_slug": world.a.slug, "registration_id": registration.pk},
    )
    assert "0 unread notifications" in client.get(inbox).content.decode()
    assert _mine(world.p_rep)[0].read_at is not None


def test_someone_elses_notification_is_a_404(client, world):
    registration = _submitted(world)
    with tenant_context(world.a.pk):
        deals.registration_approve(registration=registration, by=world.channel_manager)
    (notification,) = _mine(world.p_rep)
    for member in (world.p_admin, world.q_rep):
        client.force_login(member.user)
        response = client.get(
            reverse(
                "portal:notification_open",
                kwargs={"tenant_slug": world.a.slug, "notification_id": notification.pk},
            )
        )
        assert response.status_code == 404
    assert _mine(world.p_rep)[0].read_at is None


def test_preferences_page_saves_a_choice_per_kind_of_the_role(client, world):
    client.force_login(world.p_rep.user)
    url = reverse("portal:notification_settings", kwargs={"tenant_slug": world.a.slug})
    page = client.get(url).content.decode()
    assert "Your registration is approved" in page
    assert "A registration waits for your decision" not in page  # a vendor kind
    response = client.post(url, {REGISTRATION_APPROVED: "digest"})
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        assert NotificationPreference.objects.get(membership=world.p_rep).email == "digest"
    assert client.post(url, {REGISTRATION_APPROVED: "loud"}).status_code == 400
