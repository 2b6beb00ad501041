"""What a partner person has to do about deals today, for the portal's home
page: lead offers to answer before they are reclaimed, registrations whose
protection ends within the vendor's reminder days, and registrations sent
back with a question.

Everything is narrowed to the member's own organisation
(``partner_id_of``).  Registrations are the organisation's for whoever may
follow its whole pipeline (``can_follow_partner_pipeline``, the partner
admin) and the person's own otherwise; both are within what
``registrations_visible_to`` lets partner people see.  Each list is one query
(``capped``), whatever the data size.
"""

from __future__ import annotations

import datetime

from django.db.models import OuterRef, QuerySet, Subquery

from partners.selectors.partner_todo import LIMIT, Capped, capped
from partners.selectors.people import partner_id_of
from prm import policies
from prm.models import Membership

from ..models import DealRegistration, DealTransition, LeadOffer
from ..models import RegistrationStatus as S
from .registrations import registrations_visible_to
from .rules import deal_settings


def lead_offers_waiting(
    *, membership: Membership, now: datetime.datetime, limit: int = LIMIT
) -> Capped[LeadOffer]:
    """Pending offers to the member's partner that can still be accepted,
    soonest deadline (reclaim) first, each with its lead."""
    partner_id = partner_id_of(membership)
    if partner_id is None or not policies.can_answer_lead_offers(membership):
        return Capped()
    offers = (
        LeadOffer.objects.filter(
            partner_id=partner_id, outcome=LeadOffer.Outcome.PENDING, due_at__gt=now
        )
        .select_related("lead")
        .order_by("due_at", "pk")
    )
    return capped(offers, limit)


def _followed_registrations(membership: Membership) -> QuerySet[DealRegistration]:
    if partner_id_of(membership) is None or not policies.can_register_deals(membership):
        return DealRegistration.objects.none()
    rows = registrations_visible_to(membership=membership)
    if not policies.can_follow_partner_pipeline(membership):
        rows = rows.filter(registered_by_id=membership.user_id)
    return rows


def reminder_days() -> int:
    """How many days before its protection ends a registration is reminded of."""
    return deal_settings().reminder_days


def registrations_expiring(
    *, membership: Membership, today: datetime.date, days: int, limit: int = LIMIT
) -> Capped[DealRegistration]:
    """Approved registrations whose protection ends within ``days`` (from today
    on), soonest first."""
    rows = (
        _followed_registrations(membership)
        .filter(
            status=S.APPROVED,
            protected_until__gte=today,
            protected_until__lte=today + datetime.timedelta(days=days),
        )
        .order_by("protected_until", "pk")
    )
    return capped(rows, limit)


def registrations_questioned(
    *, membership: Membership, limit: int = LIMIT
) -> Capped[DealRegistration]:
    """Registrations sent back with a question, waiting for the partner's answer,
    longest waiting first, each with the vendor's question (``question``)."""
    question = (
        DealTransition.objects.filter(registration=OuterRef("pk"), to_status=S.MORE_INFO)
        .order_by("-created_at", "-pk")
        .values("reason")[:1]
    )
    rows = (
        _followed_registrations(membership)
        .filter(status=S.MORE_INFO)
        .annotate(question=Subquery(question))
        .order_by("decided_at", "pk")
    )
    return capped(rows, limit)
