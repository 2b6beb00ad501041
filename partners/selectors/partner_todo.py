"""What a partner person has to do about the organisation today, for the
portal's home page: the agreement to accept, onboarding steps due, new
announcements, the distance to the next tier.

Every read takes the acting membership and narrows to its own organisation
(``partner_id_of``); a person without a partner, or lacking the policy, gets
nothing.  Lists are capped (``capped``): the first rows and the number of all
matching rows come back in one query, whatever the data size.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Generic, TypeVar

from django.db.models import Count, QuerySet, Window

from prm import policies
from prm.models import Membership

from ..models import Agreement, PartnerOnboardingStep, Tier
from .agreements import ACCEPTING_STATUSES, agreement_standing
from .announcements import announcements_for_partner
from .people import partner_id_of, partner_of, team_visible_to
from .tiers import tier_progress

T = TypeVar("T")
LIMIT = 10
# Open onboarding steps due within this many days are shown (overdue ones always).
ONBOARDING_SOON_DAYS = 7
# Unread announcements published within this many days count as new.
ANNOUNCEMENT_NEW_DAYS = 30


@dataclass(frozen=True)
class Capped(Generic[T]):
    """The first rows of a list and how many rows the whole list has."""

    rows: list[T] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return max(self.total - len(self.rows), 0)


def capped(queryset: QuerySet, limit: int = LIMIT) -> Capped:
    """The first ``limit`` rows of ``queryset`` and the count of all of them, in
    one query (a window count is taken before the LIMIT)."""
    rows = list(queryset.annotate(todo_total=Window(expression=Count("pk")))[:limit])
    return Capped(rows=rows, total=rows[0].todo_total if rows else 0)


def active_team_size(*, membership: Membership) -> int:
    """How many active people the member's organisation has (team page's count)."""
    return team_visible_to(membership=membership).filter(is_active=True).count()


# --- the agreement ---------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementDue:
    agreement: Agreement
    # The organisation's own accept-by date (``agreements.agreement_standing``).
    deadline: datetime.date | None
    may_accept: bool
    # Who in the organisation can accept it, for a person who cannot.
    accepters: list[Membership]


def agreement_to_accept(*, membership: Membership) -> AgreementDue | None:
    """The current agreement when the member's organisation still has to accept
    it (active and onboarding partners), with its active partner admins for
    someone who may not accept it: one query, two for such a person."""
    partner = partner_of(membership)
    if partner is None or partner.status not in ACCEPTING_STATUSES:
        return None
    standing = agreement_standing(partner=partner)
    if not standing.to_accept:
        return None
    may_accept = policies.can_accept_agreement(membership)
    accepters = []
    if not may_accept:
        accepters = list(
            Membership.objects.filter(
                partner_link__partner_id=partner.pk,
                role__in=sorted(policies.can_accept_agreement.roles),
                is_active=True,
                user__is_active=True,
            )
            .select_related("user")
            .order_by("user__full_name", "user__email", "pk")
        )
    return AgreementDue(
        agreement=standing.agreement,
        deadline=standing.deadline,
        may_accept=may_accept,
        accepters=accepters,
    )


# --- onboarding ------------------------------------------------------------------------


def onboarding_steps_due(
    *,
    membership: Membership,
    today: datetime.date,
    days: int = ONBOARDING_SOON_DAYS,
    limit: int = LIMIT,
) -> Capped[PartnerOnboardingStep]:
    """Open steps of the organisation's running onboarding that are overdue or
    due within ``days``, soonest first."""
    partner_id = partner_id_of(membership)
    if partner_id is None or not policies.can_tick_onboarding_steps(membership):
        return Capped()
    steps = (
        PartnerOnboardingStep.objects.filter(
            onboarding__partner_id=partner_id,
            onboarding__completed_at__isnull=True,
            completed_at__isnull=True,
            due_on__lte=today + datetime.timedelta(days=days),
        )
        .select_related("step")
        .order_by("due_on", "step__position", "pk")
    )
    return capped(steps, limit)


# --- announcements ---------------------------------------------------------------------


def announcements_new(
    *,
    membership: Membership,
    now: datetime.datetime,
    days: int = ANNOUNCEMENT_NEW_DAYS,
    limit: int = LIMIT,
) -> Capped:
    """Announcements addressed to the organisation that this person has not read,
    published within ``days``; pinned first, newest next."""
    if partner_id_of(membership) is None or not policies.can_read_announcements(membership):
        return Capped()
    rows = announcements_for_partner(membership=membership).filter(
        is_read=False, published_at__gte=now - datetime.timedelta(days=days)
    )
    return capped(rows, limit)


# --- the next tier ---------------------------------------------------------------------


@dataclass(frozen=True)
class Shortfall:
    label: str
    unit: str  # "count", "money" or "flag" (money in the tenant's default currency)
    value: Decimal
    minimum: Decimal
    missing: Decimal


@dataclass(frozen=True)
class TierDistance:
    current: Tier | None
    next: Tier | None  # None: the organisation holds the highest tier
    met: int = 0
    total: int = 0
    shortfalls: list[Shortfall] = field(default_factory=list)


def tier_distance(*, membership: Membership) -> TierDistance | None:
    """How far the organisation is from the next tier up (live requirement
    progress of ``tier_progress``); None when the vendor runs no tiers."""
    if partner_id_of(membership) is None:
        return None
    progress = tier_progress(membership=membership)
    if not progress.enabled:
        return None
    current = progress.current.tier if progress.current else None
    if progress.next is None:
        return TierDistance(current=current, next=None)
    requirements = progress.next.requirements
    return TierDistance(
        current=current,
        next=progress.next.tier,
        met=sum(1 for r in requirements if r.met),
        total=len(requirements),
        shortfalls=[
            Shortfall(
                label=r.label,
                unit=r.unit,
                value=r.value,
                minimum=r.minimum,
                missing=max(r.minimum - r.value, Decimal(0)),
            )
            for r in requirements
            if not r.met
        ],
    )
