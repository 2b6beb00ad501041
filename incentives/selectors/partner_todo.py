"""What a partner person has to do about incentives today, for the portal's
home page: approved MDF requests whose claim window closes within the
program's reminder days, MDF requests sent back for changes, and the live
earnings estimate.

MDF rows are the organisation's (``requests_visible_to``), for people who may
request MDF only; each list is one query (``capped``), whatever the data size.
"""

from __future__ import annotations

import datetime

from django.db.models import DateField, Exists, ExpressionWrapper, F, OuterRef

from partners.selectors.partner_todo import LIMIT, Capped, capped
from partners.selectors.people import partner_of
from prm import policies
from prm.models import Membership

from ..models import MdfClaim, MdfRequest
from ..models.mdf import ClaimStatus, RequestStatus
from .earnings import Estimate, earnings_estimates
from .mdf import requests_visible_to


def mdf_claims_closing(
    *, membership: Membership, today: datetime.date, limit: int = LIMIT
) -> Capped[MdfRequest]:
    """Approved requests still open for a claim (none waiting for a decision)
    whose claim window closes within their program's reminder days, soonest
    deadline first."""
    if not policies.can_request_mdf(membership):
        return Capped()
    waiting = MdfClaim.objects.filter(request=OuterRef("pk"), status=ClaimStatus.SUBMITTED)
    rows = (
        requests_visible_to(membership=membership)
        .filter(status=RequestStatus.APPROVED, claim_deadline__gte=today)
        .annotate(
            remind_from=ExpressionWrapper(
                F("claim_deadline") - F("program__reminder_days"), output_field=DateField()
            )
        )
        .filter(remind_from__lte=today)
        .exclude(Exists(waiting))
        .order_by("claim_deadline", "pk")
    )
    return capped(rows, limit)


def mdf_requests_sent_back(*, membership: Membership, limit: int = LIMIT) -> Capped[MdfRequest]:
    """Requests the vendor sent back for changes, longest waiting first, each
    with the vendor's question (``decision_note``)."""
    if not policies.can_request_mdf(membership):
        return Capped()
    rows = (
        requests_visible_to(membership=membership)
        .filter(status=RequestStatus.CHANGES)
        .order_by("decided_at", "pk")
    )
    return capped(rows, limit)


def earnings_this_period(*, membership: Membership, today: datetime.date) -> list[Estimate]:
    """The organisation's live estimate per active rebate program (what it has
    earned so far this period and what the next bracket needs), for people who
    may see their own earnings."""
    partner = partner_of(membership)
    if partner is None or not policies.can_see_own_earnings(membership):
        return []
    return earnings_estimates(partner=partner, today=today)
