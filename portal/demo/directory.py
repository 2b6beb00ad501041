"""Demo data: the directory. Northwind's partners get domains, regions,
industries, segments, an account manager and some profile text; Northwind has a
custom partner type "Marketplace", and partners in every status, each with its
status history."""

from partners.models import (
    CustomPartnerType,
    Partner,
    PartnerDomain,
    PartnerStatus,
    PartnerStatusChange,
    PartnerType,
    Segment,
)
from partners.services.organisations import partner_change_status, partner_create
from prm.models import Membership, User
from prm.tenancy import tenant_context

S = PartnerStatus
ACCOUNT_MANAGER = "manager@northwind.example"

# name: fields filled where still empty (the base data created the partners)
NORTHWIND = {
    "Bluewave Solutions": {
        "legal_name": "Bluewave Solutions Inc.",
        "domains": ["bluewave.example"],
        "regions": ["North America"],
        "segment": Segment.MID_MARKET,
        "certifications_held": "Northwind Certified Sales (4 people)\nNorthwind Cloud Admin (2)",
        "customer_references": "Harborview Retail — 1,200 seats\nQuickShip Logistics",
    },
    "Cobalt Managed Services": {
        "legal_name": "Cobalt Managed Services Ltd",
        "domains": ["cobalt.example", "cobalt-msp.example"],
        "website": "https://cobalt.example",
        "regions": ["UK", "Ireland"],
        "industries": ["Healthcare", "Professional services"],
        "segment": Segment.SMB,
        "strengths": "24/7 managed operations, fixed monthly pricing",
        "markets": "Small practices and clinics",
    },
    "Summit Integrators": {
        "legal_name": "Summit Integrators GmbH",
        "domains": ["summit-si.example"],
        "website": "https://summit-si.example",
        "regions": ["DACH"],
        "industries": ["Manufacturing", "Automotive"],
        "segment": Segment.ENTERPRISE,
    },
    "Referral Hub": {
        "domains": ["referralhub.example"],
        "regions": ["Central Europe"],
        "industries": ["Software"],
        "segment": Segment.SMB,
    },
    "Nimbus Consulting": {
        "legal_name": "Nimbus Conseil SAS",
        "domains": ["nimbus-consulting.example"],
        "regions": ["France", "Benelux"],
        "industries": ["Public administration"],
        "segment": Segment.PUBLIC_SECTOR,
    },
    "Atlas Distribution": {
        "legal_name": "Atlas Distribution Sdn Bhd",
        "domains": ["atlas-dist.example"],
        "regions": ["South-East Asia"],
        "industries": ["Distribution"],
        "segment": Segment.MID_MARKET,
    },
}
# Partners the base data lacks: a marketplace and a terminated reseller.
NEW_PARTNERS = [
    {
        "name": "Harbor Marketplace",
        "partner_type": "marketplace",
        "status": S.ACTIVE,
        "country": "NL",
        "domains": ["harbor-market.example"],
        "website": "https://harbor-market.example",
        "regions": ["EMEA"],
        "industries": ["E-commerce"],
        "segment": Segment.MID_MARKET,
        "strengths": "Self-service storefront with 40,000 business buyers",
    },
    {
        "name": "Legacy Systems",
        "partner_type": PartnerType.RESELLER,
        "status": S.ACTIVE,
        "country": "US",
        "domains": ["legacy-systems.example"],
        "regions": ["North America"],
        "segment": Segment.SMB,
        "then": (S.TERMINATED, "Reseller agreement ended; the company was acquired."),
    },
]
# How the base partners got to their status, for their history.
HISTORY = {
    S.ACTIVE: [("", S.ONBOARDING, ""), (S.ONBOARDING, S.ACTIVE, "Onboarding complete.")],
    S.ONBOARDING: [("", S.ONBOARDING, "")],
    S.APPLICANT: [("", S.APPLICANT, "Applied through the website.")],
    S.SUSPENDED: [
        ("", S.ONBOARDING, ""),
        (S.ONBOARDING, S.ACTIVE, "Onboarding complete."),
        (S.ACTIVE, S.SUSPENDED, "Invoices overdue by more than 90 days."),
    ],
}


def seed(tenants: dict) -> None:
    """Add this area's demo data to the tenants (keyed by slug); idempotent."""
    tenant = tenants.get("northwind")
    if tenant is None:
        return
    with tenant_context(tenant.pk):
        manager = Membership.objects.filter(user__email=ACCOUNT_MANAGER).first()
        CustomPartnerType.objects.get_or_create(key="marketplace", defaults={"name": "Marketplace"})
        for partner in Partner.objects.filter(name__in=NORTHWIND):
            _complete(partner, dict(NORTHWIND[partner.name]), manager.user if manager else None)
        for spec in NEW_PARTNERS:
            if not Partner.objects.filter(name=spec["name"]).exists():
                _create(dict(spec), manager)


def _complete(partner: Partner, spec: dict, manager: User | None) -> None:
    domains = spec.pop("domains")
    if not partner.domains.exists():
        PartnerDomain.objects.bulk_create(
            [PartnerDomain(partner=partner, domain=d) for d in domains]
        )
    blank = {name: value for name, value in spec.items() if not getattr(partner, name)}
    if manager is not None and partner.account_manager_id is None:
        blank["account_manager"] = manager
    if blank:
        Partner.objects.filter(pk=partner.pk).update(**blank)
    if not partner.status_changes.exists():
        PartnerStatusChange.objects.bulk_create(
            [
                PartnerStatusChange(
                    partner=partner, from_status=a, to_status=b, by=manager, reason=why
                )
                for a, b, why in HISTORY.get(partner.status, [("", partner.status, "")])
            ]
        )


def _create(spec: dict, manager: Membership) -> None:
    then = spec.pop("then", None)
    partner = partner_create(by=manager, account_manager=manager.user, **spec)
    if then is not None:
        partner_change_status(partner=partner, to_status=then[0], reason=then[1], by=manager)
