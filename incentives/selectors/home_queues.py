"""The incentive side of the vendor console's home: MDF requests and claims
and points redemptions to decide; for finance, payout runs to prepare,
approve and mark paid, statements being rendered and open disputes — each a
count and the age of its oldest item, in a fixed number of queries whatever
the data size."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, F, Min, Q, Window
from django.utils import timezone

from partners.selectors.home_queues import QueueCount, queue_count
from prm.models import Membership

from ..models import (
    ClaimStatus,
    Dispute,
    DisputeStatus,
    MdfClaim,
    MdfRequest,
    PaysIn,
    Program,
    ProgramStatus,
    Redemption,
    RedemptionStatus,
    RequestStatus,
    RunStatus,
    Statement,
    StatementStatus,
)
from ..periods import periods_between
from .runs import runs_visible_to


def mdf_requests_to_decide(*, membership: Membership) -> QueueCount:
    return queue_count(MdfRequest.objects.filter(status=RequestStatus.SUBMITTED), "created_at")


def mdf_claims_to_decide(*, membership: Membership) -> QueueCount:
    return queue_count(MdfClaim.objects.filter(status=ClaimStatus.SUBMITTED), "created_at")


def redemptions_to_decide(*, membership: Membership) -> QueueCount:
    return queue_count(Redemption.objects.filter(status=RedemptionStatus.PENDING), "created_at")


@dataclass(frozen=True)
class RunsToPrepare:
    """Ended periods of active cash programs that have no payout run yet (the
    periods ``payout_runs_schedule`` would open); ``oldest`` is the day after
    the oldest such period ended; ``program_id`` is set when they all belong
    to one program."""

    count: int = 0
    oldest: datetime.date | None = None
    program_id: int | None = None


def runs_to_prepare(*, membership: Membership, today: datetime.date | None = None) -> RunsToPrepare:
    """One query: the active cash programs with the period starts of their runs;
    the periods are worked out in Python (``incentives.periods``)."""
    today = today or timezone.localdate()
    programs = (
        Program.objects.filter(status=ProgramStatus.ACTIVE, starts_on__lt=today)
        .exclude(pays_in=PaysIn.POINTS)
        .annotate(run_starts=ArrayAgg("runs__period_start", default=[]))
        .values("pk", "calendar", "starts_on", "ends_on", "run_starts")
    )
    missing: list[tuple[datetime.date, int]] = []
    for program in programs:
        have = set(program["run_starts"])
        periods = periods_between(program["calendar"], program["starts_on"], program["ends_on"])
        for period in periods:
            if period.end >= today:
                break
            if period.start not in have:
                missing.append((period.end + datetime.timedelta(days=1), program["pk"]))
    if not missing:
        return RunsToPrepare()
    owners = {program_id for _ended, program_id in missing}
    return RunsToPrepare(
        count=len(missing),
        oldest=min(ended for ended, _program_id in missing),
        program_id=owners.pop() if len(owners) == 1 else None,
    )


@dataclass(frozen=True)
class RunQueues:
    to_approve: QueueCount
    failed: QueueCount
    to_mark_paid: QueueCount


def run_queues(*, membership: Membership) -> RunQueues:
    """Calculated drafts this member may approve (four eyes: above the
    program's amount, not the run's preparer), runs that could not be
    calculated, and approved runs with payouts not yet paid (a run whose
    payouts are all paid is ``paid``).  One query."""
    blocked = Q(total__gt=F("program__four_eyes_above"), prepared_by_id=membership.pk)
    approvable = Q(status=RunStatus.DRAFT) & ~blocked
    failed = Q(status=RunStatus.FAILED)
    unpaid = Q(status=RunStatus.APPROVED)
    row = (
        runs_visible_to(membership=membership)
        .order_by()
        .aggregate(
            approve=Count("pk", filter=approvable),
            approve_oldest=Min("calculated_at", filter=approvable),
            failed=Count("pk", filter=failed),
            failed_oldest=Min("updated_at", filter=failed),
            unpaid=Count("pk", filter=unpaid),
            unpaid_oldest=Min("approved_at", filter=unpaid),
        )
    )
    return RunQueues(
        to_approve=QueueCount(row["approve"], row["approve_oldest"]),
        failed=QueueCount(row["failed"], row["failed_oldest"]),
        to_mark_paid=QueueCount(row["unpaid"], row["unpaid_oldest"]),
    )


def statements_rendering(*, membership: Membership) -> QueueCount:
    """Statements issued and not rendered yet; ``first_id`` is the run of the
    oldest one.  One query."""
    first = (
        Statement.objects.filter(status=StatementStatus.PENDING)
        .annotate(total=Window(Count("pk")))
        .order_by("created_at", "pk")
        .values("run_id", "created_at", "total")
        .first()
    )
    if first is None:
        return QueueCount()
    return QueueCount(first["total"], first["created_at"], first["run_id"])


def open_disputes(*, membership: Membership) -> QueueCount:
    return queue_count(Dispute.objects.filter(status=DisputeStatus.OPEN), "created_at")
