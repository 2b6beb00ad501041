"""Demo data: Northwind's product catalogue, deal settings and direct accounts."""

from deals.models import DealSettings, DirectAccount, Product
from deals.normalise import customer_key
from prm.tenancy import tenant_context

PRODUCTS = [
    ("NW-ANL", "Analytics", "Data"),
    ("NW-SEC", "Security", "Security"),
    ("NW-INT", "Integration hub", "Platform"),
]

SETTINGS = {
    "engagement_rule": DealSettings.Rule.FIRST_APPROVED,
    "direct_accounts_off_limits": True,
    "protection_days": 90,
    "extension_days": 30,
    "max_extensions": 2,
    "reminder_days": 7,
    "lead_sla_hours": 48,
}

DIRECT_ACCOUNTS = [
    ("Contoso Ltd", "contoso.example", "Dana Whitfield"),
    ("Fabrikam Inc.", "fabrikam.example", "Dana Whitfield"),
    ("Tailspin Toys", "tailspin.example", "Omar Haddad"),
    ("Woodgrove Bank", "woodgrove.example", "Omar Haddad"),
    ("Litware GmbH", "litware.example", "Ines Krüger"),
]


def seed(tenants: dict) -> None:
    """Add this area's demo data to the tenants (keyed by slug); idempotent."""
    tenant = tenants["northwind"]
    with tenant_context(tenant.pk):
        for code, name, line in PRODUCTS:
            Product.objects.get_or_create(code=code, defaults={"name": name, "product_line": line})
        DealSettings.objects.get_or_create(defaults=SETTINGS)
        for name, domain, owner in DIRECT_ACCOUNTS:
            DirectAccount.objects.get_or_create(
                domain=domain,
                defaults={"name": name, "name_key": customer_key(name), "owner": owner},
            )
