"""The person's inbox and e-mail choices, and sending notifications by e-mail.

Every e-mail goes to one recipient only.  A notification wanted at once is
e-mailed by its own task (from the outbox); one wanted in the digest waits
for the daily job, which claims each person's waiting notifications in one
statement (so a second run sends nothing) and e-mails one digest per person.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..actions import action, system_action
from ..enqueue import emails_after_commit
from ..links import link
from ..models import EmailChoice, Membership, Notification, NotificationPreference, Tenant
from ..notifications import body_of, kinds_for_role, title_of
from ..policies import NotAllowed, can_read_notifications
from ..tenancy import require_tenant_id


@action(can_read_notifications)
def notification_read(*, notification: Notification, by: Membership) -> None:
    """Mark one of the person's own notifications read."""
    if notification.recipient_id != by.pk:
        raise NotAllowed(_("This is not your notification."))
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@action(can_read_notifications)
def notifications_read_all(*, by: Membership) -> int:
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@action(can_read_notifications)
def notification_preferences_save(*, choices: dict[str, str], by: Membership) -> None:
    """Store the person's e-mail choice per kind; a kind their role never
    receives, or an unknown choice, is refused."""
    allowed = {kind.key for kind in kinds_for_role(by.role)}
    values = set(EmailChoice.values)
    for key, choice in choices.items():
        if key not in allowed or choice not in values:
            raise ValidationError(_("Unknown notification choice."))
    with transaction.atomic():
        for key, choice in choices.items():
            NotificationPreference.objects.update_or_create(
                membership=by, kind=key, defaults={"email": choice}
            )


def _email_text(notification: Notification, tenant: Tenant, *, lead: str = "") -> str:
    """The notification's text (after ``lead``) and the link to its page."""
    lines = [line for line in (lead, body_of(notification)) if line]
    if notification.link_name:
        lines.append(link(notification.link_name, tenant=tenant, **notification.link_params))
    return "\n".join(lines)


def _footer(tenant: Tenant, membership: Membership) -> str:
    return "\n\n-- \n" + _(
        "You get this e-mail from %(tenant)s's partner program. "
        "Choose which e-mails you get: %(url)s"
    ) % {
        "tenant": tenant.name,
        "url": link("notification_settings", tenant=tenant, vendor=membership.is_vendor),
    }


@system_action
def notification_email_send(*, notification_id: int) -> bool:
    """E-mail one notification to its recipient, once: the row is claimed in
    this transaction, so a redelivered task sends nothing and a failed send
    rolls the claim back (and the task retries)."""
    claimed = Notification.objects.filter(
        pk=notification_id, emailed_at__isnull=True, email=EmailChoice.IMMEDIATE
    ).update(emailed_at=timezone.now())
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient__user").get(pk=notification_id)
    tenant = Tenant.objects.get(pk=notification.tenant_id)
    with translation.override(tenant.locale):
        title = title_of(notification)
        subject = f"{tenant.name}: {title}"
        body = _email_text(notification, tenant, lead=title) + _footer(
            tenant, notification.recipient
        )
    send_mail(
        subject=subject,
        message=body,
        from_email=None,
        recipient_list=[notification.recipient.user.email],
    )
    return True


@system_action
def notifications_digest_send() -> int:
    """Claim every notification waiting for the digest and queue one e-mail per
    person listing them.  Returns how many e-mails were queued."""
    now = timezone.now()
    claimed = list(
        Notification.objects.filter(email=EmailChoice.DIGEST, emailed_at__isnull=True)
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)
    )
    if not claimed:
        return 0
    Notification.objects.filter(pk__in=claimed).update(emailed_at=now)
    rows = (
        Notification.objects.filter(pk__in=claimed)
        .select_related("recipient__user")
        .order_by("recipient_id", "created_at", "pk")
    )
    per_person: dict[int, list[Notification]] = defaultdict(list)
    for notification in rows:
        if notification.recipient.is_active:
            per_person[notification.recipient_id].append(notification)
    tenant = Tenant.objects.get(pk=require_tenant_id())
    emails = []
    with translation.override(tenant.locale):
        for notifications in per_person.values():
            recipient = notifications[0].recipient
            parts = [
                "* " + _email_text(notification, tenant, lead=title_of(notification))
                for notification in notifications
            ]
            subject = ngettext(
                "%(tenant)s: %(count)d update since yesterday",
                "%(tenant)s: %(count)d updates since yesterday",
                len(notifications),
            ) % {"tenant": tenant.name, "count": len(notifications)}
            text = "\n\n".join(parts) + _footer(tenant, recipient)
            emails.append((subject, text, [recipient.user.email]))
    emails_after_commit(emails)
    return len(emails)
