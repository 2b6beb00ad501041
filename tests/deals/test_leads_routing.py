"""Lead routing: which rule applies, who is eligible, and how the eligible
partners are ranked (load, acceptance rate, win rate, round-robin)."""

import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deals.models import DealRegistration, Lead, LeadOffer, RoutingRule
from deals.selectors.routing import routing_candidates
from deals.services.leads import lead_create
from deals.services.offers import lead_offer
from deals.services.routing import lead_route
from partners.models import Partner, PartnerStatus, PartnerType, Tier
from prm.actors import SYSTEM
from prm.tenancy import tenant_context
from tests.world import staff

Outcome = LeadOffer.Outcome


@pytest.fixture
def a(world):
    """Tenant A entered, without the filled-in lead and rule, so every number is known."""
    with tenant_context(world.a.pk):
        Lead.objects.all().delete()
        RoutingRule.objects.all().delete()
        yield world


def _lead(name="Acme", country="DE", industry="", **fields) -> Lead:
    return lead_create(by=staff(), company_name=name, country=country, industry=industry, **fields)


def _past_offer(partner, outcome, *, days_ago=10, lead_status=Lead.Status.CLOSED) -> LeadOffer:
    """An offer from the past with its outcome, on a lead of its own."""
    lead = Lead.objects.create(
        company_name=f"Old lead {partner.name} {outcome}", country="DE", status=lead_status
    )
    when = timezone.now() - timedelta(days=days_ago)
    return LeadOffer.objects.create(
        lead=lead,
        partner=partner,
        offered_at=when,
        due_at=when + timedelta(hours=48),
        outcome=outcome,
        responded_at=None if outcome == Outcome.PENDING else when + timedelta(hours=2),
    )


def _open_offer(partner) -> LeadOffer:
    lead = _lead(name=f"Open lead for {partner.name} {timezone.now().timestamp()}")
    return lead_offer(lead=lead, partner=partner, by=SYSTEM)


def _registration(world, partner, status, closed_days_ago=30) -> DealRegistration:
    return DealRegistration.objects.create(
        partner=partner,
        registered_by=world.p_admin.user,
        customer_name=f"Customer {status}",
        customer_key=f"customer {status}",
        customer_country="DE",
        estimated_value=Decimal("100.00"),
        currency="EUR",
        expected_close_date=datetime.date(2030, 1, 1),
        status=status,
        closed_on=timezone.localdate() - timedelta(days=closed_days_ago),
    )


def _rule(**fields) -> RoutingRule:
    fields.setdefault("name", "Everyone")
    return RoutingRule.objects.create(**fields)


def test_rules_match_by_country_and_partner_type(a):
    _rule(name="France to MSPs", priority=10, countries=["FR"], partner_types=[PartnerType.MSP])
    _rule(name="Germany to resellers", priority=20, countries=["DE"], partner_types=["reseller"])
    german = lead_route(lead=_lead("Berlin GmbH", "DE"), by=SYSTEM)
    french = lead_route(lead=_lead("Paris SA", "FR"), by=SYSTEM)
    italian = _lead("Roma Srl", "IT")
    assert (german.partner, german.rule.name) == (a.p, "Germany to resellers")
    assert (french.partner, french.rule.name) == (a.q, "France to MSPs")
    assert lead_route(lead=italian, by=SYSTEM) is None
    italian.refresh_from_db()
    assert (italian.status, italian.partner) == (Lead.Status.UNROUTED, None)
    german_lead = Lead.objects.get(pk=german.lead_id)
    assert (german_lead.status, german_lead.partner) == (Lead.Status.OFFERED, a.p)
    assert german.due_at - german.offered_at == timedelta(hours=48)


def test_rules_match_by_industry_whatever_the_case(a):
    _rule(name="Health to MSPs", priority=1, industries=["health"], partner_types=["msp"])
    _rule(name="The rest to resellers", priority=2, partner_types=["reseller"])
    assert lead_route(lead=_lead("Clinic", industry="Health"), by=SYSTEM).partner == a.q
    assert lead_route(lead=_lead("Shop", industry="retail"), by=SYSTEM).partner == a.p


def test_rules_match_by_tier_and_run_by_priority(a):
    gold = Tier.objects.create(name="Gold", rank=3)
    Partner.objects.filter(pk=a.q.pk).update(tier=gold)
    _rule(name="Gold first", priority=5, tier_ids=[gold.pk])
    _rule(name="Anyone", priority=50)
    offer = lead_route(lead=_lead(), by=SYSTEM)
    assert (offer.partner, offer.rule.name) == (a.q, "Gold first")


def test_inactive_rules_and_partners_are_skipped(a):
    _rule(name="Off", priority=1, is_active=False, partner_types=["msp"])
    _rule(name="On", priority=2)
    Partner.objects.filter(pk=a.p.pk).update(status=PartnerStatus.SUSPENDED)
    offer = lead_route(lead=_lead(), by=SYSTEM)
    assert (offer.partner, offer.rule.name) == (a.q, "On")


def test_the_lightest_open_lead_load_wins(a):
    _rule()
    _open_offer(a.p)
    _open_offer(a.p)
    _open_offer(a.q)
    # An accepted, unconverted lead counts; a converted one does not.
    _past_offer(a.q, Outcome.ACCEPTED, lead_status=Lead.Status.ACCEPTED)
    third = Partner.objects.create(name="Partner R", partner_type="si")
    for _i in range(3):
        _past_offer(third, Outcome.ACCEPTED, lead_status=Lead.Status.CONVERTED)
    loads = {p.pk: p.open_leads for p in routing_candidates(rule=_rule(), lead=_lead("X"))}
    assert loads == {a.p.pk: 2, a.q.pk: 2, third.pk: 0}
    assert lead_route(lead=_lead("Y"), by=SYSTEM).partner == third


def test_partners_at_their_cap_are_not_eligible(a):
    _rule(max_open_leads=1)
    _open_offer(a.p)
    assert lead_route(lead=_lead("First"), by=SYSTEM).partner == a.q
    assert lead_route(lead=_lead("Second"), by=SYSTEM) is None


def test_the_better_acceptance_rate_wins_at_equal_load(a):
    _rule()
    # P: 1 of 2 answered offers accepted; Q: 2 of 2; offers older than 90 days do not count.
    _past_offer(a.p, Outcome.ACCEPTED, lead_status=Lead.Status.CONVERTED)
    _past_offer(a.p, Outcome.DECLINED)
    _past_offer(a.q, Outcome.ACCEPTED, lead_status=Lead.Status.CONVERTED)
    _past_offer(a.q, Outcome.ACCEPTED, lead_status=Lead.Status.CONVERTED)
    _past_offer(a.q, Outcome.RECLAIMED, days_ago=120)
    _past_offer(a.q, Outcome.RECLAIMED, days_ago=200)
    ranked = list(routing_candidates(rule=_rule(), lead=_lead("X")))
    assert [(p.pk, p.acceptance_rate) for p in ranked] == [
        (a.q.pk, 1.0),
        (a.p.pk, 0.5),
    ]
    assert lead_route(lead=_lead("Y"), by=SYSTEM).partner == a.q


def test_a_reclaimed_offer_counts_against_the_acceptance_rate(a):
    _rule()
    _past_offer(a.p, Outcome.ACCEPTED, lead_status=Lead.Status.CONVERTED)
    _past_offer(a.q, Outcome.ACCEPTED, lead_status=Lead.Status.CONVERTED)
    _past_offer(a.q, Outcome.RECLAIMED)
    assert lead_route(lead=_lead(), by=SYSTEM).partner == a.p


def test_the_better_win_rate_wins_at_equal_load_and_acceptance(a, world):
    _rule()
    _registration(world, a.p, "won")
    _registration(world, a.p, "lost")
    _registration(world, a.q, "won")
    _registration(world, a.q, "lost", closed_days_ago=400)  # too old to count
    ranked = list(routing_candidates(rule=_rule(), lead=_lead("X")))
    assert [(p.pk, p.win_rate) for p in ranked] == [
        (a.q.pk, 1.0),
        (a.p.pk, 0.5),
    ]
    assert lead_route(lead=_lead("Y"), by=SYSTEM).partner == a.q


def test_round_robin_among_equals_prefers_who_waited_longest(a):
    _rule()
    # Withdrawn offers neither load a partner nor count for its acceptance rate.
    _past_offer(a.p, Outcome.WITHDRAWN, days_ago=2)
    _past_offer(a.q, Outcome.WITHDRAWN, days_ago=1)
    first = lead_route(lead=_lead("One"), by=SYSTEM)
    assert first.partner == a.p
    newcomer = Partner.objects.create(name="Newcomer", partner_type="agency")
    assert lead_route(lead=_lead("Two"), by=SYSTEM).partner == newcomer


def test_round_robin_takes_turns(a):
    _rule()
    chosen = []
    for i in range(4):
        offer = lead_route(lead=_lead(f"Lead {i}"), by=SYSTEM)
        chosen.append(offer.partner)
        # The partner answers, so its load stays level with the others'.
        LeadOffer.objects.filter(pk=offer.pk).update(outcome=Outcome.WITHDRAWN)
        Lead.objects.filter(pk=offer.lead_id).update(status=Lead.Status.CLOSED)
    assert chosen == [a.p, a.q, a.p, a.q]


def test_partners_already_offered_the_lead_are_skipped(a):
    _rule()
    lead = _lead()
    offer = lead_route(lead=lead, by=SYSTEM)
    assert offer.partner == a.p
    LeadOffer.objects.filter(pk=offer.pk).update(outcome=Outcome.DECLINED)
    Lead.objects.filter(pk=lead.pk).update(status=Lead.Status.NEW, partner=None)
    lead.refresh_from_db()
    assert lead_route(lead=lead, by=SYSTEM).partner == a.q
    LeadOffer.objects.filter(lead=lead, partner=a.q).update(outcome=Outcome.DECLINED)
    Lead.objects.filter(pk=lead.pk).update(status=Lead.Status.NEW, partner=None)
    lead.refresh_from_db()
    assert lead_route(lead=lead, by=SYSTEM) is None
    lead.refresh_from_db()
    assert lead.status == Lead.Status.UNROUTED


def test_routing_needs_a_lead_waiting_for_a_partner(a):
    _rule()
    lead = _lead()
    lead_route(lead=lead, by=SYSTEM)
    lead.refresh_from_db()
    with pytest.raises(ValidationError):
        lead_route(lead=lead, by=SYSTEM)
    assert LeadOffer.objects.filter(lead=lead).count() == 1


def test_ranking_is_one_query_however_many_partners(a):
    rule = _rule()
    lead = _lead()
    with CaptureQueriesContext(connection) as few:
        list(routing_candidates(rule=rule, lead=lead))
    for i in range(10):
        partner = Partner.objects.create(name=f"Extra {i}", partner_type="msp")
        _past_offer(partner, Outcome.DECLINED)
    with CaptureQueriesContext(connection) as many:
        ranked = list(routing_candidates(rule=rule, lead=lead))
    assert len(ranked) == 12
    assert len(few.captured_queries) == len(many.captured_queries) == 1


def test_routing_stays_in_the_tenant(world):
    with tenant_context(world.b.pk):
        RoutingRule.objects.create(name="B everyone")
        lead = _lead("B customer")
        offer = lead_route(lead=lead, by=SYSTEM)
    assert offer.partner_id == world.b_partner.pk


def test_rates_hold_with_thousands_of_offers_and_registrations(a, world):
    """Statistics of a busy partner cannot overflow the ranking (they once were
    NUMERIC(7,4): 1,000 offers broke routing and the reclaim job)."""
    _rule()
    when = timezone.now() - timedelta(days=5)
    leads = Lead.objects.bulk_create(
        Lead(company_name=f"Busy {n}", country="DE", status=Lead.Status.CLOSED) for n in range(2500)
    )
    LeadOffer.objects.bulk_create(
        LeadOffer(
            lead=lead,
            partner=a.p,
            offered_at=when,
            due_at=when + timedelta(hours=48),
            outcome=Outcome.ACCEPTED if n % 5 else Outcome.DECLINED,
            responded_at=when + timedelta(hours=1),
        )
        for n, lead in enumerate(leads)
    )
    template = _registration(world, a.p, "won")
    DealRegistration.objects.bulk_create(
        DealRegistration(
            partner=a.p,
            registered_by=template.registered_by,
            customer_name=f"Customer {n}",
            customer_key=f"customer {n}",
            customer_country="DE",
            estimated_value=Decimal("100.00"),
            currency="EUR",
            expected_close_date=template.expected_close_date,
            status="won" if n % 4 else "lost",
            closed_on=template.closed_on,
        )
        for n in range(1999)
    )
    ranked = {p.pk: p for p in routing_candidates(rule=_rule(), lead=_lead("X"))}
    assert ranked[a.p.pk].acceptance_rate == pytest.approx(2000 / 2500)
    assert ranked[a.p.pk].win_rate == pytest.approx(1500 / 2000)
    assert lead_route(lead=_lead("Y"), by=SYSTEM) is not None
