"""Demo data: leads.

Northwind routes leads by two rules — German-speaking countries to its
resellers and integrators, everyone else to any active partner with fewer than
five open leads.  Two leads await an answer (Cobalt's close to its deadline),
Bluewave accepted one and logged a call on it, and one found no partner."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from deals.models import Lead, LeadOffer, RoutingRule
from deals.selectors.rules import deal_settings
from deals.services.activities import activity_add
from deals.services.leads import lead_create
from deals.services.offers import lead_offer, offer_accept
from partners.models import Partner
from prm.models import Membership
from prm.tenancy import tenant_context

RULES = [
    {
        "name": "Germany & DACH resellers",
        "priority": 10,
        "countries": ["DE", "AT", "CH"],
        "partner_types": ["reseller", "si"],
    },
    {"name": "Everyone else", "priority": 100, "max_open_leads": 5},
]

# company, country, industry, contact, value, currency, description
LEADS = {
    "Hoffmann Logistik GmbH": (
        "DE",
        "logistics",
        ("Hanna Hoffmann", "hanna@hoffmann-logistik.example"),
        "48000",
        "EUR",
        "Fleet of 40 depots; wants analytics before the next budget round.",
    ),
    "Brightline Retail Ltd": (
        "GB",
        "retail",
        ("Oliver Bright", "oliver@brightline.example"),
        "12000",
        "GBP",
        "Asked for a demo at the London roadshow.",
    ),
    "Keystone Health": (
        "US",
        "healthcare",
        ("Dana Keystone", "dana@keystonehealth.example"),
        "30000",
        "USD",
        "Security review for three clinics.",
    ),
    "Fjord Mining AS": (
        "NO",
        "mining",
        ("Ingrid Fjord", "ingrid@fjordmining.example"),
        None,
        "",
        "Inbound web form; no partner covers Norway yet.",
    ),
}


def _create(company: str, manager: Membership) -> Lead:
    country, industry, (name, email), value, currency, description = LEADS[company]
    return lead_create(
        by=manager,
        company_name=company,
        country=country,
        industry=industry,
        contact_name=name,
        contact_email=email,
        estimated_value=Decimal(value) if value else None,
        currency=currency,
        description=description,
        source="Website",
    )


def seed(tenants: dict) -> None:
    """Add this area's demo data to the tenants (keyed by slug); idempotent."""
    tenant = tenants["northwind"]
    with tenant_context(tenant.pk):
        rules = {}
        for spec in RULES:
            fields = {key: value for key, value in spec.items() if key != "name"}
            rules[spec["name"]], _created = RoutingRule.objects.get_or_create(
                name=spec["name"], defaults=fields
            )
        if Lead.objects.filter(company_name__in=LEADS).exists():
            return
        partners = {p.name: p for p in Partner.objects.all()}
        bluewave, cobalt = partners["Bluewave Solutions"], partners["Cobalt Managed Services"]
        dach, everyone = rules["Germany & DACH resellers"], rules["Everyone else"]

        manager = Membership.objects.get(user__email="manager@northwind.example")
        lead_offer(
            lead=_create("Hoffmann Logistik GmbH", manager), partner=bluewave, rule=dach, by=manager
        )

        # Offered long enough ago that only two hours are left to answer.
        urgent = lead_offer(
            lead=_create("Brightline Retail Ltd", manager),
            partner=cobalt,
            rule=everyone,
            by=manager,
        )
        hours = deal_settings().lead_sla_hours
        offered_at = timezone.now() - timedelta(hours=hours) + timedelta(hours=2)
        LeadOffer.objects.filter(pk=urgent.pk).update(
            offered_at=offered_at, due_at=offered_at + timedelta(hours=hours)
        )

        keystone = _create("Keystone Health", manager)
        offer = lead_offer(lead=keystone, partner=bluewave, rule=everyone, by=manager)
        rep = Membership.objects.get(user__email="rep@bluewave.example")
        offer_accept(offer=offer, by=rep)
        # Offered yesterday morning, accepted six hours later.
        offered_at = timezone.now() - timedelta(hours=26)
        accepted_at = offered_at + timedelta(hours=6)
        LeadOffer.objects.filter(pk=offer.pk).update(
            offered_at=offered_at,
            due_at=offered_at + timedelta(hours=hours),
            responded_at=accepted_at,
        )
        Lead.objects.filter(pk=keystone.pk).update(
            accepted_at=accepted_at, created_at=offered_at - timedelta(minutes=30)
        )
        keystone.refresh_from_db()
        activity_add(
            by=rep,
            lead=keystone,
            kind="call",
            body="Intro call with Dana: three clinics, decision before the end of the quarter.",
        )

        fjord = _create("Fjord Mining AS", manager)
        Lead.objects.filter(pk=fjord.pk).update(status=Lead.Status.UNROUTED)
