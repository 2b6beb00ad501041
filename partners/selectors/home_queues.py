"""The partner side of the vendor console's home: how many items wait in each
queue and since when, in a fixed number of queries whatever the data size
(one aggregate per table; conditional aggregation where one table feeds
several queues).

``QueueCount`` is shared by the ``home_queues`` selectors of the apps above.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from prm.models import Invitation, Membership
from prm.roles import Role

from ..models import (
    Agreement,
    AgreementAcceptance,
    Partner,
    PartnerApplication,
    PartnerOnboardingStep,
    Tier,
    TierChange,
    TierPolicy,
)
from .agreements import ACCEPTING_STATUSES

ATTENTION_LIMIT = 10


@dataclass(frozen=True)
class QueueCount:
    """How many items wait, and the oldest one's time (a datetime, or a date
    for day-based deadlines); ``first_id`` is the oldest item's id where a
    queue has no list page of its own."""

    count: int = 0
    oldest: datetime.datetime | datetime.date | None = None
    first_id: int | None = None


def queue_count(queryset: QuerySet, oldest_field: str) -> QueueCount:
    """One aggregate: the rows' number and the smallest ``oldest_field``."""
    row = queryset.order_by().aggregate(count=Count("pk"), oldest=Min(oldest_field))
    return QueueCount(row["count"], row["oldest"])


def _in_care(membership: Membership) -> Q:
    """The partners a member looks after (the rule of ``overdue_steps``): a
    channel manager with partners assigned those, everyone else all of them.
    One condition, no query of its own."""
    if membership.role != Role.CHANNEL_MANAGER:
        return Q()
    mine = Partner.objects.filter(account_manager_id=membership.user_id)
    return Q(account_manager_id=membership.user_id) | ~Exists(mine)


def _overdue_steps():
    return PartnerOnboardingStep.objects.filter(
        completed_at__isnull=True,
        due_on__lt=timezone.localdate(),
        onboarding__completed_at__isnull=True,
    )


def _active_admins():
    return Membership.objects.filter(
        partner_link__partner_id=OuterRef("pk"),
        role=Role.PARTNER_ADMIN,
        is_active=True,
        user__is_active=True,
    )


@dataclass(frozen=True)
class AgreementState:
    """The current agreement (None: none published) and its deadline, if passed."""

    agreement_id: int | None
    deadline_passed_on: datetime.date | None


def agreement_state() -> AgreementState:
    current = Agreement.objects.order_by("-version").values("pk", "accept_by").first()
    if current is None:
        return AgreementState(None, None)
    accept_by = current["accept_by"]
    passed = accept_by if accept_by is not None and accept_by < timezone.localdate() else None
    return AgreementState(current["pk"], passed)


@dataclass(frozen=True)
class PartnerFlag:
    """A partner that needs attention, and why."""

    partner_id: int
    name: str
    overdue_steps: int
    oldest_due: datetime.date | None
    past_deadline: bool
    no_admin: bool


@dataclass(frozen=True)
class PartnerQueues:
    past_deadline: QueueCount
    no_admin: QueueCount
    overdue_steps: QueueCount
    attention_total: int
    attention: list[PartnerFlag] = field(default_factory=list)


def partner_queues(
    *, membership: Membership, agreement: AgreementState, limit: int = ATTENTION_LIMIT
) -> PartnerQueues:
    """Active and onboarding partners the member looks after that are blocked
    by the current agreement past its accept-by date, that have no active
    partner admin (nobody can accept an agreement), or with onboarding steps
    past due; and the first ``limit`` of them by urgency.  The age of the
    no-admin queue is the oldest such partner's creation (when the last admin
    left is not recorded).  Three queries."""
    partners = Partner.objects.filter(_in_care(membership), status__in=ACCEPTING_STATUSES)
    steps = _overdue_steps().filter(onboarding__partner_id=OuterRef("pk"))
    no_admin = ~Exists(_active_admins())
    late_steps = Exists(steps)
    if agreement.deadline_passed_on is not None:
        past = ~Exists(
            AgreementAcceptance.objects.filter(
                agreement_id=agreement.agreement_id, partner_id=OuterRef("pk")
            )
        )
    else:
        past = Value(False, output_field=BooleanField())
    any_reason = Q(past) | Q(no_admin) | Q(late_steps)
    counts = partners.aggregate(
        past=Count("pk", filter=Q(past)),
        no_admin=Count("pk", filter=Q(no_admin)),
        no_admin_oldest=Min("created_at", filter=Q(no_admin)),
        attention=Count("pk", filter=any_reason),
    )
    step_counts = (
        _overdue_steps()
        .filter(onboarding__partner__in=Partner.objects.filter(_in_care(membership)))
        .aggregate(count=Count("pk"), oldest=Min("due_on"))
    )
    count_steps = (
        steps.order_by().values("onboarding__partner_id").annotate(n=Count("pk")).values("n")
    )
    oldest_step = (
        steps.order_by().values("onboarding__partner_id").annotate(d=Min("due_on")).values("d")
    )
    rows = (
        partners.filter(any_reason)
        .annotate(
            n_overdue=Coalesce(Subquery(count_steps), 0),
            oldest_due=Subquery(oldest_step),
            is_past=past,
            is_without_admin=no_admin,
        )
        .order_by("-is_past", "-is_without_admin", "oldest_due", "name", "pk")
        .values("pk", "name", "n_overdue", "oldest_due", "is_past", "is_without_admin")[:limit]
    )
    return PartnerQueues(
        past_deadline=QueueCount(
            counts["past"], agreement.deadline_passed_on if counts["past"] else None
        ),
        no_admin=QueueCount(counts["no_admin"], counts["no_admin_oldest"]),
        overdue_steps=QueueCount(step_counts["count"], step_counts["oldest"]),
        attention_total=counts["attention"],
        attention=[
            PartnerFlag(
                partner_id=row["pk"],
                name=row["name"],
                overdue_steps=row["n_overdue"],
                oldest_due=row["oldest_due"],
                past_deadline=row["is_past"],
                no_admin=row["is_without_admin"],
            )
            for row in rows
        ],
    )


def applications_to_review(*, membership: Membership) -> QueueCount:
    return queue_count(
        PartnerApplication.objects.filter(status=PartnerApplication.Status.PENDING), "created_at"
    )


def tier_proposals_to_review(*, membership: Membership) -> QueueCount:
    return queue_count(TierChange.objects.filter(status=TierChange.Status.PROPOSED), "created_at")


def tiers_missing(*, membership: Membership) -> bool:
    """No tier is defined, and the vendor has not switched tiers off in the
    tier policy (a vendor who runs without tiers has nothing to set up).
    Two queries, always both."""
    switched_off = TierPolicy.objects.filter(enabled=False).exists()
    defined = Tier.objects.exists()
    return not defined and not switched_off


def pending_invitations(*, membership: Membership) -> QueueCount:
    return queue_count(Invitation.objects.filter(status=Invitation.Status.PENDING), "created_at")


def active_people(*, membership: Membership) -> int:
    return Membership.objects.filter(is_active=True).count()
