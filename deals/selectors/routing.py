"""Which partners a routing rule may give a lead to, best first."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from partners.models import Partner, PartnerStatus

from ..models import DealRegistration, Lead, LeadOffer, RegistrationStatus, RoutingRule

Status = Lead.Status
Outcome = LeadOffer.Outcome
ACCEPTANCE_WINDOW = timedelta(days=90)
WIN_RATE_WINDOW = timedelta(days=365)
# Rates only rank partners, so a float serves: it cannot overflow however many
# offers a partner has, and equal fractions (1/2, 500/1000) compare equal.
RATE = FloatField()


def partner_standings(*, now: datetime | None = None):
    """Every active partner with what ranks it for a lead, in one query:
    ``open_leads`` (pending offers plus accepted, unconverted leads),
    ``acceptance_rate`` over the last 90 days of answered offers, ``win_rate``
    over the last 365 days of decided registrations (None without history) and
    ``last_offered_at``."""
    now = now or timezone.now()
    offers = LeadOffer.objects.filter(partner=OuterRef("pk")).order_by().values("partner")
    load = (
        offers.filter(
            Q(outcome=Outcome.PENDING) | Q(outcome=Outcome.ACCEPTED, lead__status=Status.ACCEPTED)
        )
        .annotate(n=Count("pk"))
        .values("n")
    )
    answered = offers.filter(
        offered_at__gte=now - ACCEPTANCE_WINDOW,
        outcome__in=[Outcome.ACCEPTED, Outcome.DECLINED, Outcome.RECLAIMED],
    )
    acceptance = answered.annotate(
        rate=ExpressionWrapper(
            Cast(Count("pk", filter=Q(outcome=Outcome.ACCEPTED)), RATE)
            / NullIf(Cast(Count("pk"), RATE), 0),
            output_field=RATE,
        )
    ).values("rate")
    since = (now - WIN_RATE_WINDOW).date()
    decided = (
        DealRegistration.objects.filter(
            partner=OuterRef("pk"),
            status__in=[RegistrationStatus.WON, RegistrationStatus.LOST],
        )
        .filter(
            Q(closed_on__gte=since)
            | Q(closed_on__isnull=True, updated_at__gte=now - WIN_RATE_WINDOW)
        )
        .order_by()
        .values("partner")
    )
    win_rate = decided.annotate(
        rate=ExpressionWrapper(
            Cast(Count("pk", filter=Q(status=RegistrationStatus.WON)), RATE)
            / NullIf(Cast(Count("pk"), RATE), 0),
            output_field=RATE,
        )
    ).values("rate")
    last_offered = offers.annotate(last=Max("offered_at")).values("last")
    return Partner.objects.filter(status=PartnerStatus.ACTIVE).annotate(
        open_leads=Coalesce(Subquery(load), 0),
        acceptance_rate=Subquery(acceptance),
        win_rate=Subquery(win_rate),
        last_offered_at=Subquery(last_offered),
    )


def routing_candidates(*, rule: RoutingRule, lead: Lead, now: datetime | None = None):
    """The partners ``rule`` may give ``lead`` to, best first: lightest open-lead
    load, then the higher acceptance rate, then the higher win rate (partners
    without history after those with one), then whoever's last offer is oldest
    (never offered first).  ``deals.routing_plan.rank`` is the same order."""
    partners = partner_standings(now=now)
    if rule.partner_types:
        partners = partners.filter(partner_type__in=rule.partner_types)
    if rule.tier_ids:
        partners = partners.filter(tier_id__in=rule.tier_ids)
    already = LeadOffer.objects.filter(lead_id=lead.pk).values("partner_id")
    partners = partners.exclude(pk__in=already)
    if rule.max_open_leads is not None:
        partners = partners.filter(open_leads__lt=rule.max_open_leads)
    return partners.order_by(
        "open_leads",
        F("acceptance_rate").desc(nulls_last=True),
        F("win_rate").desc(nulls_last=True),
        F("last_offered_at").asc(nulls_first=True),
        "pk",
    )
