"""Reads about leads, offers and routing rules, narrowed to what a membership may see.

Vendor roles see every lead of the tenant.  A partner's people see a lead only
while it is offered to their partner (a pending offer) or after their partner
accepted it; a lead declined, reclaimed or withdrawn is gone for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from partners.selectors.people import partner_id_of
from prm.models import Membership

from ..models import Lead, LeadOffer, RoutingRule

Status = Lead.Status
Outcome = LeadOffer.Outcome
# Leads a partner keeps seeing once accepted.
PARTNER_KEEPS = (Status.ACCEPTED, Status.CONVERTED, Status.CLOSED)


def _pending_offers():
    return LeadOffer.objects.filter(lead=OuterRef("pk"), outcome=Outcome.PENDING)


def leads_visible_to(*, membership: Membership) -> QuerySet[Lead]:
    leads = Lead.objects.all()
    if membership.is_partner:
        partner_id = partner_id_of(membership)
        pending = _pending_offers().filter(partner_id=partner_id)
        accepted = LeadOffer.objects.filter(
            lead=OuterRef("pk"), partner_id=partner_id, outcome=Outcome.ACCEPTED
        )
        leads = leads.filter(partner_id=partner_id).filter(
            Exists(pending) | (Q(status__in=PARTNER_KEEPS) & Exists(accepted))
        )
    return leads


@dataclass(frozen=True)
class LeadFilters:
    status: str = ""
    partner_id: int | None = None
    country: str = ""


def lead_list(*, membership: Membership, filters: LeadFilters = LeadFilters()) -> QuerySet[Lead]:
    """The console's rows matching ``filters``: each lead with its current partner
    and, when it has one, its pending offer's deadline — one query whatever the
    number of rows."""
    pending = _pending_offers()
    leads = leads_visible_to(membership=membership)
    if filters.status:
        leads = leads.filter(status=filters.status)
    if filters.partner_id:
        leads = leads.filter(partner_id=filters.partner_id)
    if filters.country:
        leads = leads.filter(country=filters.country.strip().upper())
    return (
        leads.select_related("partner")
        .annotate(
            pending_offer_id=Subquery(pending.values("pk")[:1]),
            pending_due_at=Subquery(pending.values("due_at")[:1]),
        )
        .order_by("-created_at", "-pk")
    )


def lead_get(*, membership: Membership, lead_id: int) -> Lead:
    """The same 404 for a lead that does not exist and one that is not yours."""
    lead = (
        leads_visible_to(membership=membership)
        .select_related("partner", "created_by")
        .filter(pk=lead_id)
        .first()
    )
    if lead is None:
        raise Http404
    return lead


def lead_countries(*, membership: Membership) -> list[str]:
    return list(
        leads_visible_to(membership=membership)
        .order_by("country")
        .values_list("country", flat=True)
        .distinct()
    )


def lead_offers(*, lead: Lead) -> list[LeadOffer]:
    """A lead's offers, newest first, with how long each took to answer."""
    return list(
        LeadOffer.objects.filter(lead=lead)
        .select_related("partner", "rule", "offered_by", "responded_by")
        .annotate(
            answer_time=ExpressionWrapper(
                F("responded_at") - F("offered_at"), output_field=DurationField()
            )
        )
        .order_by("-offered_at", "-pk")
    )


def pending_offer_of(*, lead: Lead) -> LeadOffer | None:
    return LeadOffer.objects.filter(lead=lead, outcome=Outcome.PENDING).first()


def offer_get(*, membership: Membership, offer_id: int) -> LeadOffer:
    """An offer made to the member's partner (any offer for vendor roles); 404 otherwise."""
    offers = LeadOffer.objects.select_related("lead", "partner")
    if membership.is_partner:
        offers = offers.filter(partner_id=partner_id_of(membership))
    offer = offers.filter(pk=offer_id).first()
    if offer is None:
        raise Http404
    return offer


@dataclass
class Inbox:
    pending: list[LeadOffer]
    accepted: list[Lead]


def partner_inbox(*, membership: Membership) -> Inbox:
    """The partner's pending offers (soonest deadline first) and the leads it
    accepted that are not yet registrations — two queries."""
    if not membership.is_partner:
        return Inbox(pending=[], accepted=[])
    pending = list(
        LeadOffer.objects.filter(partner_id=partner_id_of(membership), outcome=Outcome.PENDING)
        .select_related("lead")
        .order_by("due_at", "pk")
    )
    accepted = list(
        leads_visible_to(membership=membership)
        .filter(status=Status.ACCEPTED)
        .order_by("-accepted_at", "-pk")
    )
    return Inbox(pending=pending, accepted=accepted)


# --- routing rules ----------------------------------------------------------------------


def routing_rules(*, membership: Membership) -> QuerySet[RoutingRule]:
    if not membership.is_vendor:
        return RoutingRule.objects.none()
    offers = (
        LeadOffer.objects.filter(rule=OuterRef("pk"))
        .order_by()
        .values("rule")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return RoutingRule.objects.annotate(offer_count=Coalesce(Subquery(offers), 0)).order_by(
        "-is_active", "priority", "pk"
    )


def routing_rule_get(*, membership: Membership, rule_id: int) -> RoutingRule:
    rule = RoutingRule.objects.filter(pk=rule_id).first() if membership.is_vendor else None
    if rule is None:
        raise Http404
    return rule


# --- timings for KPIs -----------------------------------------------------------------


@dataclass
class LeadTimings:
    offers: int
    accepted: int
    avg_time_to_accept: timedelta | None
    avg_time_to_first_activity: timedelta | None


def lead_timings(*, membership: Membership, partner_id: int | None = None) -> LeadTimings:
    """Time to accept (accepted_at − offered_at of accepted offers) and time to
    first activity (lead.first_activity_at − lead.accepted_at), averaged over
    the visible leads; two aggregate queries."""
    if membership.is_partner:
        partner_id = partner_id_of(membership)
    offers = LeadOffer.objects.all()
    if partner_id is not None:
        offers = offers.filter(partner_id=partner_id)
    offer_figures = offers.aggregate(
        offers=Count("pk"),
        accepted=Count("pk", filter=Q(outcome=Outcome.ACCEPTED)),
        to_accept=Avg(
            ExpressionWrapper(F("responded_at") - F("offered_at"), output_field=DurationField()),
            filter=Q(outcome=Outcome.ACCEPTED),
        ),
    )
    leads = Lead.objects.filter(accepted_at__isnull=False, first_activity_at__isnull=False)
    if partner_id is not None:
        leads = leads.filter(partner_id=partner_id)
    to_activity = leads.aggregate(
        value=Avg(
            ExpressionWrapper(
                F("first_activity_at") - F("accepted_at"), output_field=DurationField()
            )
        )
    )["value"]
    return LeadTimings(
        offers=offer_figures["offers"],
        accepted=offer_figures["accepted"],
        avg_time_to_accept=offer_figures["to_accept"],
        avg_time_to_first_activity=to_activity,
    )
