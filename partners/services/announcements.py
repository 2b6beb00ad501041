"""Announcements: drafting, publishing, read tracking and the e-mail to their
audience.  An announcement published with ``send_email`` is e-mailed once: the
fan-out task claims it with a compare-and-swap on ``emailed_at``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.actions import action, system_action
from prm.audit import audit_record
from prm.enqueue import enqueue_after_commit
from prm.links import link
from prm.models import Membership, Tenant
from prm.policies import can_communicate, can_read_announcements
from prm.text import LONG_TEXT

from ..audience import Audience
from ..cleaning import required_text
from ..models import Announcement, AnnouncementRead
from ..selectors.audience import audience_members
from ..selectors.people import partner_id_of


def _announcement_fields(*, title: str, body: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    fields = {
        "title": required_text(errors, "title", title, _("Give the announcement a title.")),
        "body": required_text(errors, "body", body, _("Write the announcement."), limit=LONG_TEXT),
    }
    if errors:
        raise ValidationError(errors)
    return fields


def _email_after_commit(announcement: Announcement) -> None:
    """Enqueue the fan-out once the transaction commits; the task itself makes
    sure the announcement is e-mailed at most once."""
    if not (announcement.send_email and announcement.published_at and not announcement.emailed_at):
        return
    enqueue_after_commit("partners.announcement_email", announcement.pk)


@action(can_communicate)
def announcement_create(
    *,
    by: Membership,
    title: str,
    body: str,
    audience: Audience,
    pinned: bool = False,
    send_email: bool = False,
) -> Announcement:
    """A draft announcement; partners see it once it is published."""
    fields = _announcement_fields(title=title, body=body)
    with transaction.atomic():
        announcement = Announcement.objects.create(
            **fields,
            **audience.as_fields(),
            pinned=pinned,
            send_email=send_email,
            author=by.user,
        )
        audit_record(actor=by.user, action="announcement.created", target=announcement)
    return announcement


@action(can_communicate)
def announcement_update(
    *,
    announcement: Announcement,
    by: Membership,
    title: str,
    body: str,
    audience: Audience,
    pinned: bool,
    send_email: bool,
) -> Announcement:
    """Edit an announcement; asking for e-mail on one already published sends it
    (once) as well."""
    fields = _announcement_fields(title=title, body=body)
    with transaction.atomic():
        for name, value in {**fields, **audience.as_fields()}.items():
            setattr(announcement, name, value)
        announcement.pinned, announcement.send_email = pinned, send_email
        announcement.save()
        audit_record(actor=by.user, action="announcement.updated", target=announcement)
        _email_after_commit(announcement)
    return announcement


@action(can_communicate)
def announcement_publish(*, announcement: Announcement, by: Membership) -> Announcement:
    """Make the announcement visible to its audience; with ``send_email`` the
    e-mail fan-out is enqueued after commit."""
    with transaction.atomic():
        now = timezone.now()
        changed = Announcement.objects.filter(pk=announcement.pk, published_at__isnull=True).update(
            published_at=now
        )
        if not changed:
            raise ValidationError(_("This announcement is already published."))
        announcement.refresh_from_db()
        audit_record(actor=by.user, action="announcement.published", target=announcement)
        _email_after_commit(announcement)
    return announcement


@action(can_communicate)
def announcement_unpublish(*, announcement: Announcement, by: Membership) -> Announcement:
    with transaction.atomic():
        changed = Announcement.objects.filter(
            pk=announcement.pk, published_at__isnull=False
        ).update(published_at=None)
        if not changed:
            raise ValidationError(_("This announcement is not published."))
        announcement.published_at = None
        audit_record(actor=by.user, action="announcement.unpublished", target=announcement)
    return announcement


@action(can_read_announcements)
def announcement_mark_read(*, announcement: Announcement, by: Membership) -> None:
    """Record that this person opened the announcement; repeating it changes nothing."""
    AnnouncementRead.objects.get_or_create(
        announcement=announcement,
        user_id=by.user_id,
        defaults={"partner_id": partner_id_of(by)},
    )


@system_action
def announcement_send_emails(*, announcement_id: int) -> int:
    """E-mail a published announcement to every active person of the partners in
    its audience, one message per recipient.  The fan-out is claimed first with
    ``UPDATE … SET emailed_at = now() WHERE emailed_at IS NULL``; only the caller
    that changed the row sends, so repeated or concurrent runs send one batch.
    Returns the number of messages sent."""
    claimed = Announcement.objects.filter(
        pk=announcement_id,
        emailed_at__isnull=True,
        published_at__isnull=False,
        send_email=True,
    ).update(emailed_at=timezone.now())
    if claimed != 1:
        return 0
    announcement = Announcement.objects.get(pk=announcement_id)
    tenant = Tenant.objects.get(pk=announcement.tenant_id)
    recipients = sorted(set(audience_members(announcement).values_list("user__email", flat=True)))
    url = link("partner_announcement", tenant=tenant, announcement_id=announcement.pk)
    context = {
        "tenant": tenant,
        "announcement": announcement,
        "url": url,
    }
    subject = render_to_string("emails/announcement_subject.txt", context).strip()
    body = render_to_string("emails/announcement.txt", context)
    messages = [EmailMessage(subject=subject, body=body, to=[email]) for email in recipients]
    sent = get_connection().send_messages(messages) if messages else 0
    audit_record(
        actor=None, action="announcement.emailed", target=announcement, recipients=len(messages)
    )
    return sent or 0
