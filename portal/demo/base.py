"""The demo vendors, their partners and one person per role."""

from allauth.account.models import EmailAddress

from partners.models import Partner, PartnerMembership, PartnerStatus, PartnerType
from prm.models import Membership, Tenant, User
from prm.roles import Role
from prm.tenancy import tenant_context

DEMO_PASSWORD = "prm-demo-2026"

TENANTS = [
    {"slug": "northwind", "name": "Northwind Software", "default_currency": "USD"},
    {"slug": "globex", "name": "Globex Cloud", "default_currency": "EUR", "locale": "de"},
]

PARTNERS = {
    "northwind": [
        ("Bluewave Solutions", PartnerType.RESELLER, PartnerStatus.ACTIVE, "US"),
        ("Cobalt Managed Services", PartnerType.MSP, PartnerStatus.ACTIVE, "GB"),
        ("Summit Integrators", PartnerType.SYSTEM_INTEGRATOR, PartnerStatus.ONBOARDING, "DE"),
        ("Referral Hub", PartnerType.REFERRAL, PartnerStatus.ACTIVE, "PL"),
        ("Nimbus Consulting", PartnerType.CONSULTANT, PartnerStatus.APPLICANT, "FR"),
        ("Atlas Distribution", PartnerType.DISTRIBUTOR, PartnerStatus.SUSPENDED, "MY"),
    ],
    "globex": [
        ("Bluewave Solutions", PartnerType.RESELLER, PartnerStatus.ACTIVE, "US"),
        ("Orion Distribution", PartnerType.DISTRIBUTOR, PartnerStatus.ACTIVE, "NL"),
    ],
}

# (email, full name, tenant slug, role, partner name or None)
PEOPLE = [
    ("admin@northwind.example", "Nora Admin", "northwind", Role.VENDOR_ADMIN, None),
    ("manager@northwind.example", "Max Manager", "northwind", Role.CHANNEL_MANAGER, None),
    ("finance@northwind.example", "Fiona Finance", "northwind", Role.FINANCE, None),
    # A second finance person: payout runs above the four-eyes amount need one.
    ("controller@northwind.example", "Carl Controller", "northwind", Role.FINANCE, None),
    (
        "admin@bluewave.example",
        "Bella Bluewave",
        "northwind",
        Role.PARTNER_ADMIN,
        "Bluewave Solutions",
    ),
    (
        "admin@bluewave.example",
        "Bella Bluewave",
        "globex",
        Role.PARTNER_ADMIN,
        "Bluewave Solutions",
    ),
    ("rep@bluewave.example", "Ron Rep", "northwind", Role.PARTNER_REP, "Bluewave Solutions"),
    ("rep@cobalt.example", "Cora Cobalt", "northwind", Role.PARTNER_REP, "Cobalt Managed Services"),
    ("admin@globex.example", "Gus Globex", "globex", Role.VENDOR_ADMIN, None),
]


def _user(email: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name)
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def seed_base() -> tuple[dict[str, Tenant], list[tuple[str, str]]]:
    tenants = {}
    for spec in TENANTS:
        tenant, _ = Tenant.objects.get_or_create(slug=spec["slug"], defaults=spec)
        tenants[spec["slug"]] = tenant
    for slug, partners in PARTNERS.items():
        with tenant_context(tenants[slug].pk):
            for name, partner_type, status, country in partners:
                Partner.objects.get_or_create(
                    name=name,
                    defaults={"partner_type": partner_type, "status": status, "country": country},
                )
    logins = []
    for email, full_name, slug, role, partner_name in PEOPLE:
        user = _user(email, full_name)
        with tenant_context(tenants[slug].pk):
            membership, _created = Membership.objects.get_or_create(
                user=user, defaults={"role": role}
            )
            if partner_name:
                PartnerMembership.objects.get_or_create(
                    membership=membership,
                    defaults={"partner": Partner.objects.get(name=partner_name)},
                )
        logins.append((email, f"{tenants[slug].name}: {role.label}"))
    return tenants, logins
