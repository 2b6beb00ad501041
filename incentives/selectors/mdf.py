"""Market development funds as the console and the portal show them.

Vendor staff who may see MDF see every partner's; partner people see their
own organisation's funds, requests, claims and proofs only, and a lookup of
another organisation's row is the same 404 as a missing one."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from partners.selectors.people import partner_id_of
from prm import policies
from prm.models import Membership

from ..mdf_rules import cost_per
from ..models import MdfClaim, MdfEntry, MdfFund, MdfProof, MdfRequest, Program, ProgramStatus


def _vendor_sees(membership: Membership) -> bool:
    return policies.can_view_mdf(membership) or policies.can_decide_mdf(membership)


def _narrow(queryset: QuerySet, membership: Membership) -> QuerySet:
    if _vendor_sees(membership):
        return queryset
    if policies.can_request_mdf(membership):
        partner_id = partner_id_of(membership)
        if partner_id is not None:
            return queryset.filter(partner_id=partner_id)
    return queryset.none()


def mdf_programs_visible_to(*, membership: Membership) -> QuerySet[Program]:
    """The active MDF programs: all for the vendor, those the partner has funds
    in for partner people."""
    programs = Program.objects.filter(kind="mdf").exclude(status=ProgramStatus.DRAFT)
    if _vendor_sees(membership) or policies.can_manage_mdf(membership):
        return programs.order_by("name")
    partner_id = partner_id_of(membership) if policies.can_request_mdf(membership) else None
    if partner_id is None:
        return programs.none()
    return programs.filter(funds__partner_id=partner_id).distinct().order_by("name")


def funds_visible_to(*, membership: Membership) -> QuerySet[MdfFund]:
    return _narrow(MdfFund.objects.select_related("program", "partner"), membership)


def fund_get(*, membership: Membership, fund_id: int) -> MdfFund:
    fund = funds_visible_to(membership=membership).filter(pk=fund_id).first()
    if fund is None:
        raise Http404
    return fund


def current_funds(*, membership: Membership, today: datetime.date) -> list[MdfFund]:
    """The own organisation's funds of the periods running today."""
    return list(
        funds_visible_to(membership=membership)
        .filter(period_start__lte=today, period_end__gte=today)
        .order_by("program__name")
    )


def requests_visible_to(*, membership: Membership) -> QuerySet[MdfRequest]:
    return _narrow(
        MdfRequest.objects.select_related("program", "partner", "requested_by__user"), membership
    )


def request_get(*, membership: Membership, request_id: int) -> MdfRequest:
    request = (
        requests_visible_to(membership=membership)
        .select_related("fund", "decided_by__user")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise Http404
    return request


def claims_visible_to(*, membership: Membership) -> QuerySet[MdfClaim]:
    return _narrow(
        MdfClaim.objects.select_related("request", "program", "partner", "submitted_by__user"),
        membership,
    )


def claim_get(*, membership: Membership, claim_id: int) -> MdfClaim:
    claim = (
        claims_visible_to(membership=membership)
        .select_related("decided_by__user")
        .filter(pk=claim_id)
        .first()
    )
    if claim is None:
        raise Http404
    return claim


def claims_of(*, request: MdfRequest) -> list[MdfClaim]:
    """A request's claims (the caller has the request), newest first, with proofs."""
    return list(
        MdfClaim.objects.filter(request=request)
        .select_related("submitted_by__user", "decided_by__user")
        .prefetch_related("proofs")
        .order_by("-created_at", "-id")
    )


def proof_get(*, membership: Membership, proof_id: int) -> MdfProof:
    proof = _narrow(MdfProof.objects.all(), membership).filter(pk=proof_id).first()
    if proof is None:
        raise Http404
    return proof


@dataclass(frozen=True)
class NextStep:
    text: str
    due: datetime.date | None = None
    overdue: bool = False


def next_step(request: MdfRequest, today: datetime.date, *, claim_waiting: bool) -> NextStep:
    """What the partner does next on a request, and by when."""
    if request.status == "submitted":
        return NextStep(_("Waiting for the vendor's decision."))
    if request.status == "changes":
        return NextStep(_("Change the request as asked and send it again."))
    if request.status == "approved":
        if claim_waiting:
            return NextStep(_("Claim sent: waiting for the vendor's decision."))
        deadline = request.claim_deadline
        if today > deadline:
            return NextStep(_("The claim window has closed."), deadline, overdue=True)
        if today < request.ends_on:
            return NextStep(_("Run the activity, then claim with proof."), deadline)
        return NextStep(_("Claim with proof of performance."), deadline)
    if request.status == "claimed":
        return NextStep(_("Claim approved: paid with the next payout run."))
    return NextStep("")


def waiting_claims(*, request_ids: list[int]) -> set[int]:
    """Which of these requests have a claim waiting for a decision."""
    return set(
        MdfClaim.objects.filter(request_id__in=request_ids, status="submitted").values_list(
            "request_id", flat=True
        )
    )


@dataclass(frozen=True)
class QueueItem:
    kind: str  # "request" or "claim"
    id: int
    partner: str
    title: str
    amount: Decimal
    currency: str
    since: datetime.datetime


def mdf_queue(*, membership: Membership) -> list[QueueItem]:
    """Requests and claims waiting for a decision, oldest first."""
    if not policies.can_decide_mdf(membership):
        return []
    requests = [
        QueueItem(
            "request", r.pk, r.partner.name, r.title, r.amount, r.program.currency, r.created_at
        )
        for r in MdfRequest.objects.filter(status="submitted").select_related("partner", "program")
    ]
    claims = [
        QueueItem(
            "claim",
            c.pk,
            c.partner.name,
            c.request.title,
            c.amount,
            c.program.currency,
            c.created_at,
        )
        for c in MdfClaim.objects.filter(status="submitted").select_related(
            "partner", "program", "request"
        )
    ]
    return sorted(requests + claims, key=lambda item: (item.since, item.kind, item.id))


def mdf_utilisation(*, membership: Membership, program: Program | None = None) -> list[dict]:
    """Per partner and program: the sums of their funds' balances and the share
    of what was allocated that has been claimed or paid."""
    funds = funds_visible_to(membership=membership)
    if program is not None:
        funds = funds.filter(program=program)
    rows = (
        funds.values("program_id", "program__name", "partner_id", "partner__name", "currency")
        .annotate(
            allocated=Sum("allocated"),
            available=Sum("available"),
            committed=Sum("committed"),
            claimed=Sum("claimed"),
            paid=Sum("paid"),
            expired=Sum("expired"),
            funds=Count("id"),
        )
        .order_by("program__name", "partner__name")
    )
    result = []
    for row in rows:
        used = row["claimed"] + row["paid"]
        row["utilisation"] = (
            (used * 100 / row["allocated"]).quantize(Decimal("0.1")) if row["allocated"] else None
        )
        result.append(row)
    return result


@dataclass(frozen=True)
class ActivityReturn:
    claim_id: int
    partner: str
    activity: str
    activity_type: str
    cost: Decimal
    currency: str
    leads: int | None
    attendees: int | None
    per_lead: Decimal | None
    per_attendee: Decimal | None


def mdf_returns(*, membership: Membership) -> list[ActivityReturn]:
    """The return reported per approved activity: what it cost (the approved
    claim) per lead and per attendee."""
    claims = (
        claims_visible_to(membership=membership)
        .filter(status="approved")
        .order_by("-decided_at", "-id")
    )
    return [
        ActivityReturn(
            claim_id=c.pk,
            partner=c.partner.name,
            activity=c.request.title,
            activity_type=c.request.get_activity_type_display(),
            cost=c.approved_amount,
            currency=c.program.currency,
            leads=c.actual_leads,
            attendees=c.actual_attendees,
            per_lead=cost_per(c.approved_amount, c.actual_leads),
            per_attendee=cost_per(c.approved_amount, c.actual_attendees),
        )
        for c in claims
    ]


def partner_totals(*, membership: Membership, today: datetime.date) -> dict[str, Decimal]:
    """The own organisation's balances by state over the funds running today."""
    sums = (
        funds_visible_to(membership=membership)
        .filter(period_start__lte=today, period_end__gte=today)
        .aggregate(
            allocated=Sum("allocated"),
            available=Sum("available"),
            committed=Sum("committed"),
            claimed=Sum("claimed"),
            paid=Sum("paid"),
            expired=Sum("expired"),
        )
    )
    return {name: value or Decimal("0") for name, value in sums.items()}


def open_requests(*, membership: Membership) -> QuerySet[MdfRequest]:
    """Requests still in play (waiting, sent back, approved and not claimed)."""
    return (
        requests_visible_to(membership=membership)
        .filter(Q(status__in=["submitted", "changes", "approved"]))
        .order_by(F("claim_deadline").asc(nulls_last=True), "-created_at")
    )


def claims_by_request(*, membership: Membership, request_ids: list[int]) -> dict[int, list]:
    """The visible claims of these requests, per request."""
    claims: dict[int, list] = {}
    for claim in claims_visible_to(membership=membership).filter(request_id__in=request_ids):
        claims.setdefault(claim.request_id, []).append(claim)
    return claims


def earlier_requests(*, membership: Membership, besides: list[int]) -> QuerySet[MdfRequest]:
    """The visible requests other than these (the ones still in play)."""
    return requests_visible_to(membership=membership).exclude(pk__in=besides)


def funds_of_period(
    *, membership: Membership, program: Program, day: datetime.date
) -> QuerySet[MdfFund]:
    """The visible funds of the program's period holding ``day``."""
    return funds_visible_to(membership=membership).filter(
        program=program, period_start__lte=day, period_end__gte=day
    )


def fund_entries(*, fund: MdfFund) -> QuerySet[MdfEntry]:
    """A fund's ledger (the caller has the fund), newest first."""
    return MdfEntry.objects.filter(fund=fund).select_related("by__user", "request").order_by("-id")
