"""The console's lead distribution pages and the portal inbox: happy paths,
bad input (400, nothing changed), roles, isolation and query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deals.models import Lead, LeadOffer, RoutingRule
from deals.services.leads import lead_create
from deals.services.offers import lead_offer
from partners.models import Partner, PartnerStatus, PartnerType, Tier
from prm.actors import SYSTEM
from prm.tenancy import tenant_context
from tests.world import make_member

Outcome = LeadOffer.Outcome


def _url(name, world, **kwargs):
    return reverse(name, kwargs={"tenant_slug": world.a.slug, **kwargs})


def _count(world, model, **filters) -> int:
    with tenant_context(world.a.pk):
        return model.objects.filter(**filters).count()


def _lead(world, name="Console Lead", country="DE", **fields) -> Lead:
    with tenant_context(world.a.pk):
        return lead_create(by=world.channel_manager, company_name=name, country=country, **fields)


GOOD_LEAD = {
    "company_name": "Hoffmann Logistik GmbH",
    "company_domain": "https://www.Hoffmann-Logistik.example/kontakt",
    "country": "de",
    "industry": "Logistics",
    "contact_name": "Hanna Hoffmann",
    "contact_email": "hanna@hoffmann-logistik.example",
    "contact_phone": "+49 40 1234",
    "description": "Wants a fleet rollout.",
    "estimated_value": "25000.50",
    "currency": "eur",
    "source": "Trade fair",
}


# --- leads -------------------------------------------------------------------------------


def test_channel_manager_creates_and_routes_a_lead(client, world):
    client.force_login(world.channel_manager.user)
    assert client.get(_url("console:lead_create", world)).status_code == 200
    response = client.post(_url("console:lead_create", world), {**GOOD_LEAD, "route_now": "on"})
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        lead = Lead.objects.get(company_name="Hoffmann Logistik GmbH")
        offer = LeadOffer.objects.get(lead=lead)
    assert (lead.country, lead.company_domain, lead.currency) == (
        "DE",
        "hoffmann-logistik.example",
        "EUR",
    )
    assert str(lead.estimated_value) == "25000.50"
    # The filled-in rule "Germany" matches; P already holds one open lead, Q none.
    assert (offer.partner_id, lead.status, lead.created_by_id) == (
        world.q.pk,
        Lead.Status.OFFERED,
        world.channel_manager.user_id,
    )
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert b"Partner Q" in detail.content and b"left" in detail.content


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"company_name": "  "}, "company_name"),
        ({"country": "Narnia"}, "country"),  # a name that names no country
        ({"country": "1A"}, "country"),
        ({"estimated_value": "-5"}, "estimated_value"),
        ({"currency": ""}, "currency"),
        ({"currency": "EURO"}, "currency"),
        ({"company_domain": "not a domain"}, "company_domain"),
        ({"contact_email": "nobody"}, "contact_email"),
    ],
)
def test_bad_leads_are_refused_and_nothing_is_saved(client, world, changes, field):
    client.force_login(world.vendor_admin.user)
    before = _count(world, Lead)
    response = client.post(_url("console:lead_create", world), {**GOOD_LEAD, **changes})
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert _count(world, Lead) == before


def test_finance_reads_but_does_not_act(client, world):
    lead = _lead(world)
    client.force_login(world.finance.user)
    assert client.get(_url("console:leads", world)).status_code == 200
    detail = client.get(_url("console:lead_detail", world, lead_id=lead.pk))
    assert detail.status_code == 200 and b"Route automatically" not in detail.content
    assert client.get(_url("console:lead_create", world)).status_code == 403
    assert client.post(_url("console:lead_route", world, lead_id=lead.pk)).status_code == 403
    offer = _url("console:lead_offer", world, lead_id=lead.pk)
    assert client.post(offer, {"partner": world.p.pk}).status_code == 403
    assert client.post(_url("console:lead_close", world, lead_id=lead.pk)).status_code == 403
    assert client.get(_url("console:routing_rules", world)).status_code == 200
    assert client.get(_url("console:routing_rule_create", world)).status_code == 403
    assert _count(world, LeadOffer, lead=lead) == 0


def test_manual_offer_to_a_chosen_partner(client, world):
    lead = _lead(world)
    client.force_login(world.channel_manager.user)
    response = client.post(
        _url("console:lead_offer", world, lead_id=lead.pk), {"partner": world.q.pk}
    )
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        offer = LeadOffer.objects.get(lead=lead)
    assert (offer.partner_id, offer.rule_id, offer.offered_by_id) == (
        world.q.pk,
        None,
        world.channel_manager.user_id,
    )


@pytest.mark.parametrize("who", ["inactive", "other_tenant", "missing"])
def test_manual_offer_to_an_ineligible_partner_is_refused(client, world, who):
    lead = _lead(world)
    if who == "inactive":
        with tenant_context(world.a.pk):
            Partner.objects.filter(pk=world.q.pk).update(status=PartnerStatus.SUSPENDED)
        partner_id = world.q.pk
    else:
        partner_id = world.b_partner.pk if who == "other_tenant" else ""
    client.force_login(world.channel_manager.user)
    response = client.post(
        _url("console:lead_offer", world, lead_id=lead.pk), {"partner": partner_id}
    )
    assert response.status_code == 400
    assert response.context["offer_form"].errors["partner"]
    assert _count(world, LeadOffer, lead=lead) == 0


def test_offering_an_offered_lead_is_refused(client, world):
    lead = _lead(world)
    with tenant_context(world.a.pk):
        lead_offer(lead=lead, partner=world.p, by=SYSTEM)
    client.force_login(world.channel_manager.user)
    response = client.post(
        _url("console:lead_offer", world, lead_id=lead.pk), {"partner": world.q.pk}
    )
    assert response.status_code == 400
    assert _count(world, LeadOffer, lead=lead) == 1
    assert client.post(_url("console:lead_route", world, lead_id=lead.pk)).status_code == 400


def test_route_automatically_with_no_eligible_partner_leaves_it_unrouted(client, world):
    lead = _lead(world, country="JP")
    client.force_login(world.channel_manager.user)
    response = client.post(_url("console:lead_route", world, lead_id=lead.pk), follow=True)
    assert response.status_code == 200
    assert b"unrouted" in response.content
    with tenant_context(world.a.pk):
        assert Lead.objects.get(pk=lead.pk).status == Lead.Status.UNROUTED


def test_closing_a_lead_withdraws_its_offer(client, world):
    lead = _lead(world)
    with tenant_context(world.a.pk):
        offer = lead_offer(lead=lead, partner=world.p, by=SYSTEM)
    client.force_login(world.vendor_admin.user)
    url = _url("console:lead_close", world, lead_id=lead.pk)
    assert client.post(url, {"reason": "Customer bought direct"}).status_code == 302
    with tenant_context(world.a.pk):
        assert Lead.objects.get(pk=lead.pk).status == Lead.Status.CLOSED
        assert LeadOffer.objects.get(pk=offer.pk).outcome == Outcome.WITHDRAWN
    again = client.post(url, {"reason": ""})
    assert again.status_code == 400 and b"already closed" in again.content


def test_detail_shows_offer_history_with_outcomes_and_timings(client, world):
    lead = _lead(world)
    with tenant_context(world.a.pk):
        first = lead_offer(lead=lead, partner=world.p, by=SYSTEM)
        LeadOffer.objects.filter(pk=first.pk).update(
            outcome=Outcome.DECLINED,
            responded_at=first.offered_at + timedelta(hours=3, minutes=5),
            decline_reason="No capacity",
        )
        Lead.objects.filter(pk=lead.pk).update(status=Lead.Status.NEW, partner=None)
        lead_offer(lead=lead, partner=world.q, by=SYSTEM)
    client.force_login(world.channel_manager.user)
    response = client.get(_url("console:lead_detail", world, lead_id=lead.pk))
    content = response.content.decode()
    assert [o.partner.name for o in response.context["offers"]] == ["Partner Q", "Partner P"]
    assert "No capacity" in content and "3 h 5 min" in content
    assert "Declined" in content and "Awaiting an answer" in content


def test_the_list_filters_by_status_partner_and_country(client, world):
    offered = _lead(world, name="Offered One", country="FR")
    _lead(world, name="New One", country="FR")
    with tenant_context(world.a.pk):
        lead_offer(lead=offered, partner=world.q, by=SYSTEM)
    client.force_login(world.channel_manager.user)
    url = _url("console:leads", world)

    def names(**params):
        return {lead.company_name for lead in client.get(url, params).context["leads"]}

    assert names(country="fr") == {"Offered One", "New One"}
    assert names(status="offered", country="FR") == {"Offered One"}
    assert names(partner=world.q.pk) == {"Offered One"}
    assert names(partner=world.p.pk) == {"Prospect"}
    assert "Prospect" in names()


def test_a_vendor_of_b_never_sees_a_leads(client, world):
    lead = _lead(world, name="Secret of A")
    client.force_login(world.b_admin.user)
    response = client.get(reverse("console:leads", kwargs={"tenant_slug": world.b.slug}))
    assert "Secret of A" not in {lead.company_name for lead in response.context["leads"]}
    other = reverse("console:lead_detail", kwargs={"tenant_slug": world.b.slug, "lead_id": lead.pk})
    assert client.get(other).status_code == 404
    assert client.get(_url("console:lead_detail", world, lead_id=lead.pk)).status_code == 404


# --- routing rules -----------------------------------------------------------------------


def test_rules_are_created_edited_and_deactivated(client, world):
    with tenant_context(world.a.pk):
        gold = Tier.objects.create(name="Gold", rank=3)
    client.force_login(world.channel_manager.user)
    response = client.post(
        _url("console:routing_rule_create", world),
        {
            "name": "DACH resellers",
            "priority": "10",
            "countries": "de, at;CH",
            "industries": "Retail, logistics",
            "partner_types": [PartnerType.RESELLER, PartnerType.SYSTEM_INTEGRATOR],
            "tiers": [gold.pk],
            "max_open_leads": "5",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        rule = RoutingRule.objects.get(name="DACH resellers")
    assert (rule.countries, rule.industries, rule.partner_types, rule.tier_ids) == (
        ["DE", "AT", "CH"],
        ["retail", "logistics"],
        ["reseller", "si"],
        [gold.pk],
    )
    listing = client.get(_url("console:routing_rules", world))
    assert b"DACH resellers" in listing.content and b"Gold" in listing.content

    edit = _url("console:routing_rule_edit", world, rule_id=rule.pk)
    assert client.get(edit).status_code == 200
    response = client.post(
        edit, {"name": "DACH", "priority": "20", "countries": "DE", "is_active": "on"}
    )
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        rule.refresh_from_db()
    assert (rule.name, rule.priority, rule.partner_types, rule.tier_ids, rule.max_open_leads) == (
        "DACH",
        20,
        [],
        [],
        None,
    )
    deactivate = _url("console:routing_rule_deactivate", world, rule_id=rule.pk)
    assert client.post(deactivate).status_code == 302
    with tenant_context(world.a.pk):
        assert RoutingRule.objects.get(pk=rule.pk).is_active is False
    assert client.post(deactivate).status_code == 400


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": ""}, "name"),
        ({"countries": "Germany"}, "countries"),
        ({"max_open_leads": "0"}, "max_open_leads"),
        ({"priority": "-1"}, "priority"),
        ({"partner_types": ["wizard"]}, "partner_types"),
        ({"tiers": ["999999"]}, "tiers"),
    ],
)
def test_bad_rules_are_refused_and_nothing_is_saved(client, world, data, field):
    client.force_login(world.vendor_admin.user)
    before = _count(world, RoutingRule)
    response = client.post(
        _url("console:routing_rule_create", world), {"name": "R", "priority": "1", **data}
    )
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert _count(world, RoutingRule) == before


def test_a_bad_edit_changes_nothing(client, world):
    with tenant_context(world.a.pk):
        rule = RoutingRule.objects.get(name="Germany")
    client.force_login(world.channel_manager.user)
    response = client.post(
        _url("console:routing_rule_edit", world, rule_id=rule.pk),
        {"name": "Germany", "priority": "1", "countries": "DE, Deutschland"},
    )
    assert response.status_code == 400
    with tenant_context(world.a.pk):
        assert RoutingRule.objects.get(pk=rule.pk).countries == ["DE"]


# --- query counts --------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more_leads(world, n=12):
    with tenant_context(world.a.pk):
        for i in range(n):
            partner = Partner.objects.create(name=f"Extra {i}", partner_type="agency")
            make_member(world.a, f"extra{i}@a.test", "partner_rep", partner)
            lead_offer(
                lead=lead_create(by=world.channel_manager, company_name=f"L{i}", country="DE"),
                partner=partner,
                by=SYSTEM,
            )
            accepted = lead_create(by=world.channel_manager, company_name=f"A{i}", country="DE")
            offer = lead_offer(lead=accepted, partner=world.p, by=SYSTEM)
            LeadOffer.objects.filter(pk=offer.pk).update(
                outcome=Outcome.ACCEPTED, responded_at=timezone.now()
            )
            Lead.objects.filter(pk=accepted.pk).update(
                status=Lead.Status.ACCEPTED, accepted_at=timezone.now()
            )
            lead_offer(
                lead=lead_create(by=world.channel_manager, company_name=f"P{i}", country="DE"),
                partner=world.p,
                by=SYSTEM,
            )


def test_console_lead_list_uses_a_constant_number_of_queries(client, world):
    client.force_login(world.channel_manager.user)
    url = _url("console:leads", world)
    before = _queries(client, url)
    _more_leads(world)
    assert _queries(client, url) == before


def test_portal_inbox_uses_a_constant_number_of_queries(client, world):
    client.force_login(world.p_rep.user)
    url = _url("portal:leads_inbox", world)
    before = _queries(client, url)
    _more_leads(world)
    response = client.get(url)
    assert len(response.context["pending"]) == 13 and len(response.context["accepted"]) == 12
    assert _queries(client, url) == before


def test_rules_list_uses_a_constant_number_of_queries(client, world):
    client.force_login(world.channel_manager.user)
    url = _url("console:routing_rules", world)
    before = _queries(client, url)
    with tenant_context(world.a.pk):
        for i in range(10):
            RoutingRule.objects.create(name=f"R{i}", partner_types=["msp"], countries=["FR"])
    assert _queries(client, url) == before


def test_lead_values_round_half_up_to_the_cent(world):
    with tenant_context(world.a.pk):
        lead = lead_create(
            by=world.channel_manager,
            company_name="Rounding",
            country="de",
            estimated_value="10.005",
            currency="usd",
        )
        lead.refresh_from_db()
    assert (str(lead.estimated_value), lead.currency, lead.country) == ("10.01", "USD", "DE")
