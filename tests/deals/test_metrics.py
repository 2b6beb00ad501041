"""The deal metrics partners' tiers and onboarding steps can name."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deals.models import DealRegistration, Product, RevenueLine
from partners import metrics
from prm.tenancy import tenant_context
from tests.deals.setup_deal_data import register

KEYS = ["won_revenue_12m", "won_deals_12m", "deals_registered"]


def _line(partner, product, amount, closed_on, currency="USD"):
    return RevenueLine(
        partner=partner,
        product=product,
        amount=Decimal(amount),
        currency=currency,
        closed_on=closed_on,
        source="registration",
    )


def test_the_metrics_are_registered_with_their_units():
    available = metrics._registry
    assert available["won_revenue_12m"].unit == "money"
    assert "default currency" in str(available["won_revenue_12m"].label)
    assert available["won_deals_12m"].unit == "count"
    assert available["deals_registered"].unit == "count"


def test_known_numbers(world):
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    with tenant_context(world.a.pk):
        core = Product.objects.get(code="CORE")
        RevenueLine.objects.bulk_create(
            [
                _line(world.p, core, "1000.10", today),
                _line(world.p, core, "200.20", today - 364 * day),  # first day of the window
                _line(world.p, core, "5000", today - 365 * day),  # just outside
                _line(world.p, core, "7000", today, currency="EUR"),  # not the default currency
                _line(world.p, core, "9000", today + day),  # a future date does not count
                _line(world.q, core, "50", today - 10 * day),
            ]
        )
        statuses = ["draft", "submitted", "approved", "won", "won", "won", "lost", "expired"]
        for i, status in enumerate(statuses):
            register(world.p, world.p_rep.user, f"Customer {i}", status=status, products=[core])
        DealRegistration.objects.filter(customer_name="Customer 3").update(closed_on=today)
        DealRegistration.objects.filter(customer_name="Customer 4").update(
            closed_on=today - 400 * day
        )
        DealRegistration.objects.filter(customer_name="Customer 5").update(
            closed_on=today - 364 * day
        )
        register(world.q, world.q_rep.user, "Q customer", status="draft", products=[core])
        with CaptureQueriesContext(connection) as ctx:
            values = metrics.compute(KEYS, [world.p.pk, world.q.pk])
    p, q = values[world.p.pk], values[world.q.pk]
    assert p["won_revenue_12m"] == Decimal("1200.30")
    assert q["won_revenue_12m"] == Decimal("50.00")
    assert p["won_deals_12m"] == 2
    assert q["won_deals_12m"] == 0
    # seven non-drafts of P plus the world's approved registration
    assert p["deals_registered"] == 8
    assert q["deals_registered"] == 0
    custom_kpis = 1
    assert len(ctx.captured_queries) == len(KEYS) + custom_kpis


def test_the_default_currency_decides_what_counts(world):
    today = timezone.localdate()
    with tenant_context(world.a.pk):
        core = Product.objects.get(code="CORE")
        RevenueLine.objects.bulk_create(
            [_line(world.p, core, "10", today), _line(world.p, core, "70", today, "EUR")]
        )
        world.a.default_currency = "EUR"
        world.a.save(update_fields=["default_currency"])
        # the world's own EUR line (900.00, closed 2026-01-01) counts when in the window
        window_start = today - datetime.timedelta(days=364)
        world_line = Decimal("900.00") if datetime.date(2026, 1, 1) >= window_start else 0
        value = metrics.compute(["won_revenue_12m"], [world.p.pk])[world.p.pk]
    assert value["won_revenue_12m"] == Decimal("70.00") + world_line


def test_another_tenants_rows_never_count(world):
    today = timezone.localdate()
    with tenant_context(world.b.pk):
        core = Product.objects.get(code="CORE")
        RevenueLine.objects.create(
            partner=world.b_partner,
            product=core,
            amount=Decimal("123"),
            currency="USD",
            closed_on=today,
            source="registration",
        )
    with tenant_context(world.a.pk):
        # B's partner id asked for inside A: nothing is visible
        values = metrics.compute(KEYS, [world.b_partner.pk])[world.b_partner.pk]
    assert values == {key: 0 for key in KEYS}
