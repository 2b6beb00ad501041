import datetime
from decimal import Decimal

from django.utils import timezone

from deals.models import (
    Activity,
    DealConflict,
    DealProduct,
    DealProtection,
    DealRegistration,
    DealSettings,
    DealTransition,
    DirectAccount,
    Lead,
    LeadOffer,
    Product,
    RevenueLine,
    RoutingRule,
)
from deals.normalise import customer_key


def fill(ctx) -> None:
    DealSettings.objects.create()
    product = Product.objects.create(code="CORE", name="Core platform", product_line="Platform")
    account = DirectAccount.objects.create(
        name="Bigcorp", name_key="bigcorp", domain="bigcorp.example"
    )
    registration = DealRegistration.objects.create(
        partner=ctx.partner,
        registered_by=ctx.partner_user,
        customer_name=f"Customer of {ctx.tenant.slug}",
        customer_key=customer_key(f"Customer of {ctx.tenant.slug}"),
        customer_domain=f"customer-{ctx.tenant.slug}.example",
        customer_country="DE",
        estimated_value=Decimal("1000.00"),
        currency="EUR",
        expected_close_date=datetime.date(2030, 1, 1),
        status="approved",
        protected_until=datetime.date(2030, 1, 1),
    )
    DealProduct.objects.create(registration=registration, product=product)
    DealProtection.objects.create(
        registration=registration, customer_key=registration.customer_key, product=product
    )
    DealTransition.objects.create(registration=registration, to_status="approved")
    DealConflict.objects.create(registration=registration, direct_account=account, match="name")
    lead = Lead.objects.create(
        company_name="Prospect", country="DE", status="offered", partner=ctx.partner
    )
    LeadOffer.objects.create(
        lead=lead,
        partner=ctx.partner,
        offered_at=timezone.now(),
        due_at=timezone.now() + datetime.timedelta(days=2),
    )
    RoutingRule.objects.create(name="Germany", countries=["DE"])
    Activity.objects.create(
        registration=registration,
        partner=ctx.partner,
        author=ctx.partner_user,
        kind="note",
        body="Met the CIO",
        occurred_at=timezone.now(),
    )
    RevenueLine.objects.create(
        partner=ctx.partner,
        registration=registration,
        product=product,
        amount=Decimal("900.00"),
        currency="EUR",
        closed_on=datetime.date(2026, 1, 1),
        source="registration",
    )
