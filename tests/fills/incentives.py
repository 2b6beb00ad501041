import datetime
from decimal import Decimal

from deals.models import Product, RevenueLine
from incentives.models import (
    Adjustment,
    Dispute,
    DisputeMessage,
    ExchangeRate,
    Payout,
    PayoutItem,
    PayoutPayment,
    PayoutProfile,
    PayoutRun,
    Program,
    ProgramBracket,
    ProgramProduct,
    ProgramRate,
    ProgramTier,
    Statement,
    StatementCounter,
)
from partners.models import Tier
from prm.models import Membership


def fill(ctx) -> None:
    tier = Tier.objects.order_by("rank").first()
    product = Product.objects.get(code="CORE")
    line = RevenueLine.objects.filter(partner=ctx.partner).first()
    program = Program.objects.create(
        name=f"Rebate of {ctx.tenant.slug}",
        kind="rebate",
        calendar="quarterly",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        currency="EUR",
        rebate_method="retroactive",
        status="active",
    )
    ProgramTier.objects.create(program=program, tier=tier)
    ProgramProduct.objects.create(program=program, product=product)
    ProgramBracket.objects.create(program=program, threshold=0, rate=Decimal("2"))
    ProgramRate.objects.create(program=program, product=product, percent=Decimal("3"))
    ExchangeRate.objects.create(
        currency="USD",
        to_currency="EUR",
        rate=Decimal("0.9"),
        effective_on=datetime.date(2026, 1, 1),
    )
    finance = Membership.objects.filter(user=ctx.vendor_user).first()
    run = PayoutRun.objects.create(
        program=program,
        period_start=datetime.date(2026, 7, 1),
        period_end=datetime.date(2026, 9, 30),
        as_of=datetime.date(2026, 9, 30),
        currency="EUR",
        status="draft",
        total=Decimal("21.00"),
    )
    payout = Payout.objects.create(
        run=run,
        partner=ctx.partner,
        currency="EUR",
        total=Decimal("21.00"),
        payable=Decimal("21.00"),
        carried=0,
        status="payable",
    )
    item = PayoutItem.objects.create(
        run=run,
        payout=payout,
        program=program,
        period_start=run.period_start,
        partner=ctx.partner,
        kind="earning",
        revenue_line=line,
        registration_id=line.registration_id if line else None,
        rule="product",
        amount=Decimal("21.00"),
    )
    PayoutRun.objects.filter(pk=run.pk).update(status="approved", approved_by=finance)
    PayoutPayment.objects.create(
        payout=payout,
        run=run,
        paid_on=datetime.date(2026, 10, 5),
        reference=f"PAY-{ctx.tenant.slug}",
        recorded_by=finance,
    )
    PayoutProfile.objects.create(
        partner=ctx.partner,
        legal_name=f"{ctx.partner.name} Ltd",
        address="1 Main Street",
        tax_id=f"TAX-{ctx.tenant.slug}",
        payment_details="IBAN XX00 0000",
    )
    StatementCounter.objects.create(year=2026, last_number=1)
    Statement.objects.create(
        run=run,
        payout=payout,
        partner=ctx.partner,
        year=2026,
        sequence=1,
        number="2026-000001",
        issued_on=datetime.date(2026, 10, 6),
        language="en",
        requested_by=finance,
    )
    partner_admin = Membership.objects.filter(user=ctx.partner_user).first()
    dispute = Dispute.objects.create(
        item=item, payout=payout, partner=ctx.partner, opened_by=partner_admin
    )
    DisputeMessage.objects.create(dispute=dispute, author=partner_admin, body="Rate too low")
    Adjustment.objects.create(
        program=program,
        partner=ctx.partner,
        amount=Decimal("5.00"),
        reason="Agreed rate",
        dispute=dispute,
        created_by=finance,
    )
