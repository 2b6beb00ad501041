"""Routing many reclaimed leads at once: the same choices as routing them one
by one, e-mails and audit for each, and a number of queries that does not
grow with the number of leads."""

import random
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deals.models import Lead, LeadOffer, RoutingRule
from deals.routing_plan import Standing, rank, rule_admits
from deals.selectors.routing import partner_standings, routing_candidates
from deals.services.leads import lead_create
from deals.services.reclaim import STANDING_FIELDS, leads_reclaim
from deals.services.routing import lead_route
from partners.models import Partner, Tier
from partners.selectors.people import emails_of_partners
from prm.actors import SYSTEM
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.world import make_member, staff

Outcome = LeadOffer.Outcome


@pytest.fixture
def a(world):
    with tenant_context(world.a.pk):
        Lead.objects.all().delete()
        RoutingRule.objects.all().delete()
        yield world


def _partners(n: int, gold: Tier) -> list[Partner]:
    kinds = ["reseller", "msp", "si"]
    return Partner.objects.bulk_create(
        Partner(name=f"Partner {i}", partner_type=kinds[i % 3], tier=gold if i % 4 == 0 else None)
        for i in range(n)
    )


def _history(partners: list[Partner], rng: random.Random) -> None:
    """Past offers with every outcome, so loads and rates differ (and tie)."""
    now = timezone.now()
    for partner in partners:
        for _ in range(rng.randint(0, 4)):
            outcome = rng.choice([Outcome.ACCEPTED, Outcome.DECLINED, Outcome.RECLAIMED])
            status = rng.choice([Lead.Status.ACCEPTED, Lead.Status.CONVERTED, Lead.Status.CLOSED])
            lead = Lead.objects.create(company_name="Past", country="DE", status=status)
            when = now - timedelta(days=rng.randint(1, 120))
            LeadOffer.objects.create(
                lead=lead,
                partner=partner,
                offered_at=when,
                due_at=when + timedelta(hours=48),
                outcome=outcome,
                responded_at=when + timedelta(hours=1),
            )


def _overdue_leads(partners: list[Partner], count: int, rng: random.Random) -> list[Lead]:
    leads = []
    for i in range(count):
        lead = lead_create(
            by=staff(),
            company_name=f"Due {i}",
            country=rng.choice(["DE", "FR", "IT"]),  # no rule but Health takes IT
            industry=rng.choice(["", "health"]),
        )
        partner = partners[i % len(partners)]
        Lead.objects.filter(pk=lead.pk).update(status=Lead.Status.OFFERED, partner=partner)
        when = timezone.now() - timedelta(hours=50)
        LeadOffer.objects.create(
            lead=lead, partner=partner, offered_at=when, due_at=when + timedelta(hours=48)
        )
        leads.append(lead)
    return leads


def _scenario(world, *, partners=12, leads=20, seed=7):
    rng = random.Random(seed)
    gold = Tier.objects.create(name="Gold", rank=3)
    made = _partners(partners, gold)
    _history(made, rng)
    RoutingRule.objects.create(name="Health", priority=1, industries=["health"], max_open_leads=2)
    RoutingRule.objects.create(
        name="France", priority=2, countries=["FR"], partner_types=["msp", "si"]
    )
    RoutingRule.objects.create(
        name="Gold", priority=3, countries=["DE"], tier_ids=[gold.pk], max_open_leads=3
    )
    RoutingRule.objects.create(
        name="Resellers", priority=4, countries=["DE", "FR"], partner_types=["reseller"]
    )
    return made, _overdue_leads(made, leads, rng)


def _assignments() -> dict[int, tuple]:
    pending = LeadOffer.objects.filter(outcome=Outcome.PENDING).values_list(
        "lead_id", "partner_id", "rule__name"
    )
    found = {lead_id: (partner_id, rule) for lead_id, partner_id, rule in pending}
    for lead_id in Lead.objects.filter(status=Lead.Status.UNROUTED).values_list("pk", flat=True):
        found[lead_id] = None
    return found


class _Undo(Exception):
    pass


def test_the_planner_ranks_exactly_as_the_database_does(a):
    _partners_made, leads = _scenario(a)
    standings = [Standing(**row) for row in partner_standings().values(*STANDING_FIELDS)]
    offered = set(LeadOffer.objects.filter(lead=leads[0]).values_list("partner_id", flat=True))
    for rule in RoutingRule.objects.all():
        in_memory = [
            s.pk
            for s in sorted(standings, key=rank)
            if rule_admits(rule, s)
            and s.pk not in offered
            and (rule.max_open_leads is None or s.open_leads < rule.max_open_leads)
        ]
        in_sql = [p.pk for p in routing_candidates(rule=rule, lead=leads[0])]
        assert in_memory == in_sql, rule.name


def test_a_batch_routes_as_one_lead_after_another_would(a):
    _scenario(a)
    now = timezone.now()
    one_by_one = {}
    with pytest.raises(_Undo), transaction.atomic():
        due = LeadOffer.objects.filter(outcome=Outcome.PENDING, due_at__lt=now)
        lead_ids = sorted(due.values_list("lead_id", flat=True))
        due.update(outcome=Outcome.RECLAIMED)
        Lead.objects.filter(pk__in=lead_ids).update(status=Lead.Status.NEW, partner=None)
        for lead in Lead.objects.filter(pk__in=lead_ids).order_by("pk"):
            lead_route(lead=lead, by=SYSTEM)
        one_by_one = _assignments()
        raise _Undo
    assert leads_reclaim(now=now) == 20
    batch = _assignments()
    assert batch == one_by_one
    assert sum(1 for choice in batch.values() if choice is None) >= 1  # some found nobody
    assert len({choice[0] for choice in batch.values() if choice}) > 3  # spread out


def test_each_offer_of_a_batch_is_audited_and_emailed(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    with tenant_context(world.a.pk):
        Lead.objects.all().delete()
        RoutingRule.objects.all().delete()
        partners, leads = _scenario(world, partners=4, leads=6)
        for partner in partners:
            make_member(world.a, f"people@{partner.pk}.test", "partner_rep", partner)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with tenant_context(world.a.pk):  # the e-mail tasks run after, outside it
            leads_reclaim(now=timezone.now())
    with tenant_context(world.a.pk):
        offers = LeadOffer.objects.filter(outcome=Outcome.PENDING, lead__in=leads)
        people = emails_of_partners(partner_ids=list(offers.values_list("partner_id", flat=True)))
        # One message per person, with only that person's address.
        expected = {
            ((address,), f"Vendor A: New lead: {o.lead.company_name}")
            for o in offers.select_related("lead")
            for address in people[o.partner_id]
        }
        lead_ids = [lead.pk for lead in leads]
        events = AuditEvent.objects.filter(action="lead.offered", target_id__in=lead_ids)
        assert offers.count() == events.count() > 0
        unrouted = Lead.objects.filter(pk__in=lead_ids, status=Lead.Status.UNROUTED)
        assert AuditEvent.objects.filter(action="lead.unrouted").count() == unrouted.count()
        assert offers.count() + unrouted.count() == len(leads)
    offered = [m for m in mail.outbox if "New lead" in m.subject]
    assert {(tuple(m.to), m.subject) for m in offered} == expected
    assert len(offered) == len(expected)


def _reclaim_queries(world, count: int, seed: int) -> int:
    with transaction.atomic():
        partners, leads = _scenario(world, partners=8, leads=count, seed=seed)
        for partner in partners:
            make_member(world.a, f"people@{partner.pk}.test", "partner_rep", partner)
        # at least one lead no rule takes, so every kind of write happens
        Lead.objects.filter(pk=leads[0].pk).update(country="JP", industry="")
        with CaptureQueriesContext(connection) as queries:
            assert leads_reclaim(now=timezone.now()) == count
        transaction.set_rollback(True)
    return len(queries)


def test_the_query_count_does_not_grow_with_the_leads(a):
    assert _reclaim_queries(a, 4, seed=3) == _reclaim_queries(a, 40, seed=3)
