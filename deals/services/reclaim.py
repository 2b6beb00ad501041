"""Taking back offers nobody answered in time and routing those leads again,
set-based: a fixed number of statements whether 5 or 5,000 offers are due.

Routing a batch gives every lead the partner that routing it alone, in the
same order, would give it (``deals.routing_plan``); the writes are one UPDATE
of the leads, one INSERT of the offers, one of the audit events and one of the
outbox's e-mails."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction

from prm.actions import system_action
from prm.audit import audit_record, audit_record_many
from prm.tenancy import require_tenant_id

from ..models import Lead, LeadOffer, RoutingRule
from ..notifications import notify_leads_offered, notify_leads_reclaimed
from ..routing_plan import RoutingPlan, Standing
from ..selectors.routing import partner_standings
from ..selectors.rules import deal_settings
from ..states import LEAD_OFFERABLE

Status = Lead.Status
Outcome = LeadOffer.Outcome
STANDING_FIELDS = (
    "pk",
    "partner_type",
    "tier_id",
    "open_leads",
    "acceptance_rate",
    "win_rate",
    "last_offered_at",
)


@system_action
def leads_reclaim(*, now: datetime) -> int:
    """Reclaim every pending offer of the current tenant past its deadline in
    one UPDATE … RETURNING, free those leads, and route them again, all in one
    transaction (a failure leaves the offers pending for the next run).
    Concurrent runs cannot reclaim an offer twice: the second UPDATE waits for
    the first and then no longer finds it pending."""
    table = connection.ops.quote_name(LeadOffer._meta.db_table)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET outcome = %s "
                "WHERE tenant_id = %s AND outcome = %s AND due_at < %s "
                "RETURNING id, lead_id, partner_id",
                [Outcome.RECLAIMED, require_tenant_id(), Outcome.PENDING, now],
            )
            reclaimed = cursor.fetchall()
            lead_ids = sorted(lead_id for _offer, lead_id, _partner in reclaimed)
        if not lead_ids:
            return 0
        # A lead has one pending offer at most, so an offered lead among these
        # was offered by the offer just reclaimed.
        Lead.objects.filter(pk__in=lead_ids, status=Status.OFFERED).update(
            status=Status.NEW, partner=None, updated_at=now
        )
        audit_record(actor=None, action="leads.reclaimed", lead_ids=lead_ids)
        companies = dict(Lead.objects.filter(pk__in=lead_ids).values_list("pk", "company_name"))
        notify_leads_reclaimed(
            [(offer, partner, companies[lead]) for offer, lead, partner in sorted(reclaimed)]
        )
        leads_route_again(lead_ids=lead_ids, now=now)
    return len(lead_ids)


@system_action
def leads_route_again(*, lead_ids: list[int], now: datetime) -> int:
    """Route the leads among ``lead_ids`` still waiting for a partner, in id
    order, each to a partner it was never offered to; the rest are marked
    unrouted.  Returns how many were offered."""
    leads = list(Lead.objects.filter(pk__in=lead_ids, status__in=LEAD_OFFERABLE).order_by("pk"))
    if not leads:
        return 0
    rules = list(RoutingRule.objects.filter(is_active=True).order_by("priority", "pk"))
    standings = [Standing(**row) for row in partner_standings(now=now).values(*STANDING_FIELDS)]
    excluded: dict[int, set[int]] = {lead.pk: set() for lead in leads}
    for lead_id, partner_id in LeadOffer.objects.filter(lead_id__in=excluded).values_list(
        "lead_id", "partner_id"
    ):
        excluded[lead_id].add(partner_id)
    plan = RoutingPlan(rules, standings, now)
    chosen: dict[int, tuple[RoutingRule, int]] = {}
    unrouted: list[Lead] = []
    for lead in leads:
        choice = plan.choose(lead, excluded[lead.pk])
        if choice is None:
            unrouted.append(lead)
        else:
            chosen[lead.pk] = choice
    with transaction.atomic():
        offered = _offer_all([lead for lead in leads if lead.pk in chosen], chosen, now)
        _mark_unrouted(unrouted, now)
    return offered


def _offer_all(leads: list[Lead], chosen: dict[int, tuple[RoutingRule, int]], now) -> int:
    if not leads:
        return 0
    table = connection.ops.quote_name(Lead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS lead SET status = %s, partner_id = chosen.partner_id, "
            "updated_at = %s "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS chosen(id, partner_id) "
            "WHERE lead.id = chosen.id AND lead.tenant_id = %s AND lead.status = ANY(%s) "
            "RETURNING lead.id",
            [
                Status.OFFERED,
                now,
                [lead.pk for lead in leads],
                [chosen[lead.pk][1] for lead in leads],
                require_tenant_id(),
                sorted(LEAD_OFFERABLE),
            ],
        )
        moved = {row[0] for row in cursor.fetchall()}
    # A lead offered or closed by someone else meanwhile is left to them.
    leads = [lead for lead in leads if lead.pk in moved]
    due = now + timedelta(hours=deal_settings().lead_sla_hours)
    offers = LeadOffer.objects.bulk_create(
        [
            LeadOffer(
                lead=lead,
                partner_id=chosen[lead.pk][1],
                rule=chosen[lead.pk][0],
                offered_at=now,
                due_at=due,
            )
            for lead in leads
        ]
    )
    audit_record_many(
        actor=None,
        action="lead.offered",
        entries=[
            (lead, {"partner_id": o.partner_id, "rule_id": o.rule_id, "offer_id": o.pk})
            for lead, o in zip(leads, offers, strict=True)
        ],
    )
    for lead, offer in zip(leads, offers, strict=True):
        offer.lead = lead
    notify_leads_offered(offers)
    for lead, offer in zip(leads, offers, strict=True):
        lead.status, lead.partner_id = Status.OFFERED, offer.partner_id
    return len(offers)


def _mark_unrouted(leads: list[Lead], now) -> None:
    if not leads:
        return
    ids = [lead.pk for lead in leads]
    Lead.objects.filter(pk__in=ids, status__in=LEAD_OFFERABLE).update(
        status=Status.UNROUTED, partner=None, updated_at=now
    )
    audit_record_many(actor=None, action="lead.unrouted", entries=[(lead, {}) for lead in leads])
