"""Read queries of announcements: the console's list with read and audience
counts, and what a partner's people see."""

from __future__ import annotations

from django.db.models import (
    Exists,
    F,
    OuterRef,
    QuerySet,
)
from django.http import Http404

from prm.models import Membership

from ..models import Announcement, AnnouncementRead
from .audience import audience_includes_partner, count_of, targeted_people_count, vendor_only
from .people import partner_of


def announcement_list_console(*, membership: Membership) -> QuerySet[Announcement]:
    """Every announcement of the tenant, drafts first, with read and audience counts."""
    vendor_only(membership)
    return Announcement.objects.annotate(
        read_count=count_of(AnnouncementRead.objects.all(), "announcement"),
        targeted_count=targeted_people_count(),
    ).order_by(F("published_at").desc(nulls_first=True), "-created_at", "-pk")


def announcement_get_console(*, membership: Membership, announcement_id: int) -> Announcement:
    announcement = (
        announcement_list_console(membership=membership).filter(pk=announcement_id).first()
    )
    if announcement is None:
        raise Http404
    return announcement


def announcements_for_partner(*, membership: Membership) -> QuerySet[Announcement]:
    """Published announcements addressed to the member's partner, pinned first,
    newest next, each with ``is_read`` for this person."""
    if not membership.is_partner:
        raise Http404
    return (
        Announcement.objects.filter(
            audience_includes_partner(partner_of(membership)), published_at__isnull=False
        )
        .annotate(
            is_read=Exists(
                AnnouncementRead.objects.filter(
                    announcement=OuterRef("pk"), user_id=membership.user_id
                )
            )
        )
        .order_by("-pinned", "-published_at", "-pk")
    )


def announcement_get_for_partner(*, membership: Membership, announcement_id: int) -> Announcement:
    """The same 404 for missing, unpublished and addressed-elsewhere announcements."""
    announcement = (
        announcements_for_partner(membership=membership).filter(pk=announcement_id).first()
    )
    if announcement is None:
        raise Http404
    return announcement
