"""The deal side of the vendor console's home: registrations to decide (and
those past the approval target), protection extension requests, open
conflicts, leads no partner was eligible for, and whether the catalogue has
products — each a count and the age of its oldest item, in a fixed number of
queries whatever the data size."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Min, Q, Window
from django.utils import timezone

from partners.selectors.home_queues import QueueCount, queue_count
from prm.models import Membership

from ..models import DealSettings, Lead, Product
from ..models import RegistrationStatus as S
from ..states import AWAITING_DECISION
from .leads import leads_visible_to
from .registrations import conflict_list, registrations_visible_to


def approval_target_hours() -> int:
    """The vendor's approval target (``DealSettings.approval_sla_hours``); the
    default while the vendor has not saved its rules (read only: the home page
    writes nothing)."""
    hours = DealSettings.objects.values_list("approval_sla_hours", flat=True).first()
    if hours is None:
        hours = DealSettings._meta.get_field("approval_sla_hours").default
    return hours


@dataclass(frozen=True)
class RegistrationQueues:
    to_decide: QueueCount
    past_target: QueueCount
    target_hours: int
    extensions: QueueCount


def registration_queues(*, membership: Membership) -> RegistrationQueues:
    """Registrations awaiting the vendor's decision (submitted or sent back
    with a question); those submitted longer ago than the approval target,
    whose clock is running (``deals.states.sla_is_running``); and protection
    extension requests (the oldest one's id, as they have no list of their
    own).  Three queries."""
    hours = approval_target_hours()
    cutoff = timezone.now() - datetime.timedelta(hours=hours)
    visible = registrations_visible_to(membership=membership).order_by()
    awaiting = Q(status__in=AWAITING_DECISION)
    late = Q(status=S.SUBMITTED, submitted_at__lte=cutoff)
    row = visible.filter(awaiting).aggregate(
        count=Count("pk"),
        oldest=Min("submitted_at"),
        late=Count("pk", filter=late),
        late_oldest=Min("submitted_at", filter=late),
    )
    first = (
        visible.filter(status=S.APPROVED, extension_requested_at__isnull=False)
        .annotate(total=Window(Count("pk")))
        .order_by("extension_requested_at", "pk")
        .values("pk", "extension_requested_at", "total")
        .first()
    )
    extensions = (
        QueueCount(first["total"], first["extension_requested_at"], first["pk"])
        if first
        else QueueCount()
    )
    return RegistrationQueues(
        to_decide=QueueCount(row["count"], row["oldest"]),
        past_target=QueueCount(row["late"], row["late_oldest"]),
        target_hours=hours,
        extensions=extensions,
    )


def open_conflicts(*, membership: Membership) -> QueueCount:
    """Conflicts (each pair once, as the conflicts list shows them) where either
    registration still awaits a decision."""
    return queue_count(
        conflict_list(membership=membership).filter(
            Q(registration__status__in=AWAITING_DECISION)
            | Q(other_registration__status__in=AWAITING_DECISION)
        ),
        "found_at",
    )


def unrouted_leads(*, membership: Membership) -> QueueCount:
    """Leads routing found no eligible partner for."""
    return queue_count(
        leads_visible_to(membership=membership).filter(status=Lead.Status.UNROUTED), "created_at"
    )


def catalogue_is_empty(*, membership: Membership) -> bool:
    """No active product to register deals on."""
    return not Product.objects.filter(is_active=True).exists()
