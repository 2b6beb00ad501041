"""Demo data: registrations.

Northwind's partners have registrations in every state: drafts, submissions
(one past the approval target), a request for more information, approvals
(some expiring within a week, one with an extension request), a rejection, a
won deal with its revenue lines, a lost and an expired one, and a live
conflict: Bluewave holds Woodgrove Insurance while Cobalt's registration for
the same customer waits in the queue."""

import datetime
from decimal import Decimal

from django.utils import timezone

from deals.conflicts import conflicts_record
from deals.lifecycle import protection_claim
from deals.models import (
    DealProduct,
    DealRegistration,
    DealTransition,
    Product,
    RevenueLine,
)
from deals.models import RegistrationStatus as S
from deals.normalise import customer_key
from deals.notifications import notify_registration_decided, notify_registration_submitted
from deals.selectors.rules import deal_settings
from partners.models import Partner
from prm.models import Membership
from prm.tenancy import tenant_context

PRODUCTS = [
    ("NW-ANL", "Analytics", "Data"),
    ("NW-SEC", "Security", "Protect"),
    ("NW-INT", "Integration hub", "Platform"),
]

# The statuses a registration passed through to reach each state.
PATHS = {
    S.DRAFT: [],
    S.SUBMITTED: [S.SUBMITTED],
    S.MORE_INFO: [S.SUBMITTED, S.MORE_INFO],
    S.APPROVED: [S.SUBMITTED, S.APPROVED],
    S.REJECTED: [S.SUBMITTED, S.REJECTED],
    S.WON: [S.SUBMITTED, S.APPROVED, S.WON],
    S.LOST: [S.SUBMITTED, S.APPROVED, S.LOST],
    S.EXPIRED: [S.SUBMITTED, S.APPROVED, S.EXPIRED],
}
REASONS = {
    S.MORE_INFO: "Which subsidiary is buying, and who signs?",
    S.REJECTED: "The customer is already in a direct negotiation with us.",
    S.LOST: "Lost on price.",
    S.EXPIRED: "Protection ran out without an outcome.",
}

# partner, customer, domain, country, products, value, status, days since submission,
# protection days left (approved), extra fields
# fmt: off
DEALS = [
    ("Bluewave Solutions", "Contoso Retail", "contoso.example", "US", ["NW-ANL"], "18000",
     S.DRAFT, None, None, {}),
    ("Bluewave Solutions", "Fabrikam Logistics", "fabrikam.example", "US", ["NW-INT"], "42000",
     S.SUBMITTED, 3, None, {}),
    ("Bluewave Solutions", "Tailspin Toys", "tailspin.example", "CA", ["NW-ANL", "NW-SEC"],
     "26500", S.MORE_INFO, 2, None, {}),
    ("Bluewave Solutions", "Woodgrove Insurance", "woodgrove.example", "US", ["NW-SEC"],
     "64000", S.APPROVED, 20, 70, {}),
    ("Bluewave Solutions", "Litware Health", "litware.example", "US", ["NW-ANL"], "31000",
     S.APPROVED, 60, 5, {}),
    ("Bluewave Solutions", "Proseware Bank", "proseware.example", "US", ["NW-SEC", "NW-INT"],
     "88000", S.APPROVED, 85, 3,
     {"extension_reason": "The bank's board approves the budget next month."}),
    ("Bluewave Solutions", "Wingtip Airlines", "wingtip.example", "US", ["NW-ANL", "NW-INT"],
     "50000", S.WON, 40, None, {"won_amount": Decimal("52000.00")}),
    ("Bluewave Solutions", "Adventure Works", "adventure-works.example", "US", ["NW-SEC"],
     "15000", S.LOST, 50, None, {"competitor": "Initrode"}),
    ("Cobalt Managed Services", "Woodgrove Insurance Ltd", "woodgrove.example", "GB",
     ["NW-SEC"], "58000", S.SUBMITTED, 1, None, {}),
    ("Cobalt Managed Services", "Alpine Ski House", "alpineskihouse.example", "GB", ["NW-INT"],
     "12500", S.APPROVED, 80, 6, {}),
    ("Cobalt Managed Services", "Humongous Insurance", "humongous.example", "GB", ["NW-ANL"],
     "9000", S.REJECTED, 10, None, {}),
    ("Cobalt Managed Services", "Lucerne Publishing", "lucernepublishing.example", "GB",
     ["NW-ANL"], "7000", S.EXPIRED, 120, None, {}),
]
# fmt: on

PARTNER_STEPS = (S.SUBMITTED, S.WON, S.LOST)

# Won revenue per product of the won deal.
WON_LINES = {"Wingtip Airlines": [("NW-ANL", "32000.00"), ("NW-INT", "20000.00")]}


def seed(tenants: dict) -> None:
    """Add this area's demo data to the tenants (keyed by slug); idempotent."""
    tenant = tenants.get("northwind")
    if tenant is None:
        return
    with tenant_context(tenant.pk):
        deal_settings()
        products = {
            code: Product.objects.get_or_create(
                code=code, defaults={"name": name, "product_line": line}
            )[0]
            for code, name, line in PRODUCTS
        }
        manager = Membership.objects.filter(role="channel_manager").select_related("user").first()
        created = [_deal(products, manager.user if manager else None, *spec) for spec in DEALS]
        for registration in created:
            if registration is not None and registration.status in (S.SUBMITTED, S.MORE_INFO):
                conflicts_record(registration=registration)
            _notify(registration)


def _notify(registration) -> None:
    """What the services would have told people: the deciders of a waiting
    registration, the registrant of a decision."""
    if registration is None:
        return
    if registration.status == S.SUBMITTED:
        notify_registration_submitted(registration)
    elif registration.status in (S.APPROVED, S.REJECTED, S.MORE_INFO):
        notify_registration_decided(registration, REASONS.get(registration.status, ""))


def _deal(
    products,
    manager,
    partner_name,
    name,
    domain,
    country,
    codes,
    value,
    status,
    days_ago,
    days_left,
    extra,
):
    partner = Partner.objects.filter(name=partner_name).first()
    if (
        partner is None
        or DealRegistration.objects.filter(partner=partner, customer_name=name).exists()
    ):
        return None
    member = Membership.objects.filter(partner_link__partner=partner).select_related("user").first()
    if member is None:
        return None
    now, today = timezone.now(), timezone.localdate()
    fields = {
        "partner": partner,
        "registered_by": member.user,
        "customer_name": name,
        "customer_key": customer_key(name),
        "customer_domain": domain,
        "customer_country": country,
        "contact_name": f"Buyer at {name}",
        "contact_email": f"buyer@{domain}",
        "estimated_value": Decimal(value),
        "currency": "USD",
        "expected_close_date": today + datetime.timedelta(days=45),
        "stage": "proposal" if status in (S.DRAFT, S.SUBMITTED) else "negotiation",
        "status": status,
    }
    if days_ago is not None:
        fields["submitted_at"] = now - datetime.timedelta(days=days_ago)
    if S.APPROVED in PATHS[status] or status in (S.REJECTED, S.MORE_INFO):
        fields.update(decided_by=manager, decided_at=now - datetime.timedelta(days=days_ago - 1))
    if status == S.APPROVED:
        fields["protected_until"] = today + datetime.timedelta(days=days_left)
    if extra.get("extension_reason"):
        fields["extension_requested_at"] = now - datetime.timedelta(hours=6)
    if status in (S.WON, S.LOST):
        fields["closed_on"] = today - datetime.timedelta(days=3)
    if status == S.LOST:
        fields["lost_reason"] = REASONS[S.LOST]
    if status == S.EXPIRED:
        fields["protected_until"] = today - datetime.timedelta(days=2)
    fields.update(extra)
    registration = DealRegistration.objects.create(**fields)
    DealProduct.objects.bulk_create(
        [DealProduct(registration=registration, product=products[c]) for c in codes]
    )
    previous = S.DRAFT
    for step in PATHS[status]:
        DealTransition.objects.create(
            registration=registration,
            from_status=previous,
            to_status=step,
            by=None if step == S.EXPIRED else member.user if step in PARTNER_STEPS else manager,
            reason=REASONS.get(step, ""),
        )
        previous = step
    if status == S.APPROVED:
        protection_claim(registration=registration)
    if status == S.WON:
        RevenueLine.objects.bulk_create(
            [
                RevenueLine(
                    partner=partner,
                    registration=registration,
                    product=products[code],
                    amount=Decimal(amount),
                    currency="USD",
                    closed_on=fields["closed_on"],
                    source=RevenueLine.Source.REGISTRATION,
                )
                for code, amount in WON_LINES.get(name, [])
            ]
        )
    return registration
