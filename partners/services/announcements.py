"""Announcements: drafting, publishing and read tracking.  Publishing tells
every active person of the audience's partners through the notification
service (kind ``announcement_published``, once per announcement: its event
is unique per person).  With ``send_email`` each person's e-mail choice for
the kind applies, at most once: publishing claims ``emailed_at`` with a
compare-and-swap in its transaction; without it the notification stays in
the inbox only."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.actions import action, system_action
from prm.audit import audit_record
from prm.models import Membership
from prm.policies import can_communicate, can_read_announcements
from prm.text import LONG_TEXT

from ..audience import Audience
from ..cleaning import required_text
from ..models import Announcement, AnnouncementRead
from ..notifications import notify_announcement_published
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


def _notify_audience(announcement: Announcement, *, by: Membership | None) -> int:
    """Notify the audience of the published ``announcement`` (two statements:
    the audience's people, then their notifications).  The e-mail is claimed
    first (``UPDATE … SET emailed_at = now() WHERE emailed_at IS NULL``): only
    the caller that changed the row lets people's e-mail choices apply, so
    publishing again, or a second delivery of a task, e-mails nobody twice.
    Returns how many notifications were written now."""
    email = bool(
        announcement.send_email
        and Announcement.objects.filter(
            pk=announcement.pk,
            emailed_at__isnull=True,
            published_at__isnull=False,
            send_email=True,
        ).update(emailed_at=timezone.now())
    )
    recipients = list(audience_members(announcement).values_list("pk", flat=True))
    written = notify_announcement_published(announcement, recipients, email=email)
    if email:
        announcement.refresh_from_db(fields=["emailed_at"])
        audit_record(
            actor=by.user if by else None,
            action="announcement.emailed",
            target=announcement,
            recipients=len(written),
        )
    return len(written)


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
    """Edit an announcement.  Its audience was told when it was published, so
    asking for e-mail afterwards is refused: the e-mail goes with the
    notification, once, when publishing."""
    fields = _announcement_fields(title=title, body=body)
    if (
        send_email
        and not announcement.send_email
        and announcement.published_at
        and not announcement.emailed_at
    ):
        raise ValidationError(
            {
                "send_email": _(
                    "This announcement was published without e-mail; its audience "
                    "has it in the portal already."
                )
            }
        )
    with transaction.atomic():
        for name, value in {**fields, **audience.as_fields()}.items():
            setattr(announcement, name, value)
        announcement.pinned, announcement.send_email = pinned, send_email
        announcement.save()
        audit_record(actor=by.user, action="announcement.updated", target=announcement)
    return announcement


@action(can_communicate)
def announcement_publish(*, announcement: Announcement, by: Membership) -> Announcement:
    """Make the announcement visible to its audience and notify its people
    (e-mailed as each chose with ``send_email``, the inbox only without)."""
    with transaction.atomic():
        now = timezone.now()
        changed = Announcement.objects.filter(pk=announcement.pk, published_at__isnull=True).update(
            published_at=now
        )
        if not changed:
            raise ValidationError(_("This announcement is already published."))
        announcement.refresh_from_db()
        audit_record(actor=by.user, action="announcement.published", target=announcement)
        _notify_audience(announcement, by=by)
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
def announcement_notify(*, announcement_id: int) -> int:
    """Notify the audience of a published announcement, as publishing does;
    for messages of the former e-mail task still queued (``partners.
    announcement_email``).  Safe to run again: people are notified and
    e-mailed once.  Returns how many notifications were written now."""
    announcement = Announcement.objects.filter(
        pk=announcement_id, published_at__isnull=False
    ).first()
    if announcement is None:
        return 0
    return _notify_audience(announcement, by=None)
