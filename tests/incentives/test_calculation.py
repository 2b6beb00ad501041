"""The payout calculation against hand-computed amounts: brackets at and
around their thresholds, rate precedence, multipliers, commissions, SPIFs,
registration bonuses, conversion, true-up, clawback, minimum payout and
rounding."""

import datetime

import pytest

from incentives.models import ExchangeRate, PayoutItem
from partners.models import Tier
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.incentives.setup_incentives import (
    D,
    RateTerm,
    amounts,
    approve,
    partner,
    product,
    program,
    reverse,
    run_of,
    won,
)
from tests.world import make_member


@pytest.fixture
def second_finance(world):
    return make_member(world.a, "finance2@a.test", Role.FINANCE)


@pytest.fixture
def a(world):
    with tenant_context(world.a.pk):
        yield world


VOLUMES = {
    "exactly 100,000": "100000.00",
    "a cent below 100,000": "99999.99",
    "exactly 500,000": "500000.00",
    "a cent below 500,000": "499999.99",
    "600,000": "600000.00",
}


@pytest.mark.parametrize(
    "method, expected",
    [
        (
            "retroactive",
            {
                "exactly 100,000": "4000.00",
                "a cent below 100,000": "2000.00",  # 1,999.9998
                "exactly 500,000": "30000.00",
                "a cent below 500,000": "20000.00",  # 19,999.9996 (4 %), not 30,000
                "600,000": "36000.00",
            },
        ),
        (
            "marginal",
            {
                "exactly 100,000": "2000.00",
                "a cent below 100,000": "2000.00",
                "exactly 500,000": "18000.00",  # 2,000 + 16,000
                "a cent below 500,000": "18000.00",  # 2,000 + 15,999.9996
                "600,000": "24000.00",  # 2,000 + 16,000 + 6,000
            },
        ),
    ],
)
def test_rebates_at_and_around_the_thresholds(a, method, expected):
    rebate = program(rebate_method=method)
    for name, volume in VOLUMES.items():
        won(partner(name), volume)
    run = run_of(rebate)
    got = amounts(run)
    assert {name: got[name] for name in VOLUMES} == {k: D(v) for k, v in expected.items()}


def test_a_volume_in_two_lines_reaches_the_bracket_together(a):
    rebate = program()
    firm = partner("Two lines")
    won(firm, "60000.00")
    won(firm, "40000.00")
    run = run_of(rebate)
    assert amounts(run)["Two lines"] == D("4000.00")
    assert sorted(i.rule_detail for i in PayoutItem.objects.filter(run=run, partner=firm)) == [
        "100000.00",
        "100000.00",
    ]


def test_a_products_own_rate_takes_precedence_over_the_bracket(a):
    special = product("SPECIAL")
    rebate = program(rates=(RateTerm(product_id=special.pk, percent=D("10")),))
    firm = partner("Mixed")
    own = won(firm, "50000.00", code="SPECIAL")
    scheduled = won(firm, "60000.00")
    run = run_of(rebate)
    items = {i.revenue_line_id: i for i in PayoutItem.objects.filter(run=run, partner=firm)}
    # The special line counts towards the volume (110,000 reaches 4 %) but is paid 10 %.
    assert (items[own.pk].rule, items[own.pk].amount) == ("product", D("5000.00"))
    assert (items[scheduled.pk].rule, items[scheduled.pk].amount) == ("bracket", D("2400.00"))
    assert amounts(run)["Mixed"] == D("7400.00")


def test_the_tier_multiplier_applies_on_top(a):
    gold = Tier.objects.create(name="Gold+", rank=50, rebate_multiplier=D("1.5"))
    rebate = program(rebate_method="marginal")
    won(partner("Golden", tier=gold), "150000.00")
    # (2,000 + 50,000 × 4 %) × 1.5
    assert amounts(run_of(rebate))["Golden"] == D("6000.00")


def test_eligibility_leaves_other_types_countries_and_products_out(a):
    rebate = program(eligible_types=("msp",), eligible_countries=("DE",))
    won(partner("German MSP", partner_type="msp", country="DE"), "1000.00")
    won(partner("French MSP", partner_type="msp", country="FR"), "1000.00")
    won(partner("German reseller", partner_type="reseller", country="DE"), "1000.00")
    assert amounts(run_of(rebate)) == {"German MSP": D("20.00")}


def test_commission_per_product_and_tier(a):
    silver = Tier.objects.create(name="Silver+", rank=51)
    special = product("SPECIAL")
    commission = program(
        "commission",
        percent=D("5"),
        rates=(
            RateTerm(product_id=special.pk, percent=D("8")),
            RateTerm(product_id=special.pk, tier_id=silver.pk, percent=D("9")),
            RateTerm(tier_id=silver.pk, percent=D("6")),
        ),
    )
    plain, tiered = partner("Plain"), partner("Tiered", tier=silver)
    won(plain, "1000.00")  # 5 %
    won(plain, "1000.00", code="SPECIAL")  # 8 %
    won(tiered, "1000.00")  # 6 % (tier)
    won(tiered, "1000.00", code="SPECIAL")  # 9 % (product and tier)
    assert amounts(run_of(commission)) == {"Plain": D("130.00"), "Tiered": D("150.00")}


def test_a_fixed_commission_is_paid_once_per_deal(a):
    commission = program("commission", fixed_amount=D("250.00"))
    firm = partner("Referrer")
    line = won(firm, "1000.00")
    from deals.models import RevenueLine

    RevenueLine.objects.create(
        partner=firm,
        registration_id=line.registration_id,
        product=product("SPECIAL"),
        amount=D("500.00"),
        currency="USD",
        closed_on=line.closed_on,
        source="registration",
    )
    won(firm, "10.00")
    assert amounts(run_of(commission)) == {"Referrer": D("500.00")}


def test_a_spif_pays_the_rep_who_registered_the_deal(a):
    spif = program("spif", fixed_amount=D("100.00"), min_deal_amount=D("5000.00"))
    won(a.p, "6000.00", by=a.p_rep.user)
    won(a.p, "4999.99", by=a.p_admin.user)  # below the minimum size
    won(a.q, "9000.00", by=a.q_rep.user)
    run = run_of(spif)
    paid = {(p.partner_id, p.person_id): p.payable for p in run.payouts.all()}
    assert paid == {(a.p.pk, a.p_rep.pk): D("100.00"), (a.q.pk, a.q_rep.pk): D("100.00")}


def test_a_registration_bonus_needs_approval_before_the_win(a):
    bonus = program("registration_bonus", percent=D("1.5"))
    firm = partner("Registrar")
    won(firm, "10000.00", approved_on=datetime.date(2026, 8, 1))  # 150.00
    won(firm, "10000.00", approved_on=datetime.date(2026, 8, 15))  # same day counts
    won(firm, "10000.00", approved_on=datetime.date(2026, 8, 16))  # approved after the win
    won(firm, "10000.00")  # never registered and approved
    assert amounts(run_of(bonus)) == {"Registrar": D("300.00")}


def test_revenue_is_converted_with_the_rate_effective_on_the_close_date(a):
    ExchangeRate.objects.create(
        currency="EUR", to_currency="USD", rate=D("1.10"), effective_on=datetime.date(2026, 1, 1)
    )
    ExchangeRate.objects.create(
        currency="EUR", to_currency="USD", rate=D("1.20"), effective_on=datetime.date(2026, 8, 1)
    )
    commission = program("commission", percent=D("10"))
    firm = partner("Euro firm")
    before = won(firm, "1000.00", currency="EUR", on=datetime.date(2026, 7, 31))
    on_the_day = won(firm, "1000.00", currency="EUR", on=datetime.date(2026, 8, 1))
    run = run_of(commission)
    items = {i.revenue_line_id: i for i in PayoutItem.objects.filter(run=run)}
    assert (items[before.pk].exchange_rate, items[before.pk].amount) == (D("1.1"), D("110.00"))
    assert (items[on_the_day.pk].exchange_rate, items[on_the_day.pk].amount) == (
        D("1.2"),
        D("120.00"),
    )


def test_a_missing_rate_refuses_the_calculation_with_what_is_missing(a):
    commission = program("commission", percent=D("10"))
    firm = partner("Sterling")
    won(firm, "1000.00", currency="GBP", on=datetime.date(2026, 8, 3))
    won(firm, "1000.00", currency="GBP", on=datetime.date(2026, 8, 4))
    won(firm, "1000.00")
    run = run_of(commission)
    assert run.status == "failed"
    assert run.problems == [
        {"currency": "GBP", "date": "2026-08-03"},
        {"currency": "GBP", "date": "2026-08-04"},
    ]
    assert not run.payouts.exists()


def test_a_period_end_run_trues_up_a_mid_period_run(a, second_finance):
    rebate = program()
    firm = partner("Growing")
    early = won(firm, "60000.00", on=datetime.date(2026, 7, 20))
    mid = run_of(rebate, as_of=datetime.date(2026, 7, 31))
    assert amounts(mid)["Growing"] == D("1200.00")  # 2 %
    approve(mid, second_finance)
    late = won(firm, "50000.00", on=datetime.date(2026, 9, 1))
    final = run_of(rebate)
    items = {i.revenue_line_id: i for i in PayoutItem.objects.filter(run=final)}
    # 110,000 reaches 4 %: the early line earns 2,400 of which 1,200 were paid.
    assert (items[early.pk].kind, items[early.pk].amount) == ("true_up", D("1200.00"))
    assert (items[early.pk].earned_to_date, items[early.pk].paid_before) == (
        D("2400.00"),
        D("1200.00"),
    )
    assert (items[late.pk].kind, items[late.pk].amount) == ("earning", D("2000.00"))
    assert amounts(final)["Growing"] == D("3200.00")


def test_the_same_run_twice_pays_nothing_twice(a, second_finance):
    rebate = program()
    won(partner("Steady"), "1000.00")
    approve(run_of(rebate), second_finance)
    again = run_of(rebate)
    assert again.payouts.count() == 0 and again.total == 0


def test_a_reversal_is_clawed_back_and_a_negative_balance_carries_forward(a, second_finance):
    commission = program("commission", percent=D("10"))
    firm = partner("Returns")
    line = won(firm, "10000.00", on=datetime.date(2026, 4, 10))
    approve(run_of(commission, day=datetime.date(2026, 4, 1)), second_finance)
    reversal = reverse(line, "4000.00", on=datetime.date(2026, 7, 5))
    q3 = run_of(commission)
    item = PayoutItem.objects.get(run=q3)
    assert (item.kind, item.revenue_line_id, item.amount) == ("clawback", reversal.pk, D("-400.00"))
    payout = q3.payouts.get()
    assert (payout.total, payout.payable, payout.carried, payout.status) == (
        D("-400.00"),
        D("0.00"),
        D("-400.00"),
        "negative",
    )
    approve(q3, second_finance)
    won(firm, "10000.00", on=datetime.date(2026, 10, 3))
    q4 = run_of(commission, day=datetime.date(2026, 10, 1))
    kinds = sorted((i.kind, i.amount) for i in PayoutItem.objects.filter(run=q4))
    assert kinds == [("brought_forward", D("-400.00")), ("earning", D("1000.00"))]
    assert amounts(q4)["Returns"] == D("600.00")


def test_an_amount_below_the_minimum_payout_rolls_over(a, second_finance):
    commission = program("commission", percent=D("10"), minimum_payout=D("500.00"))
    firm = partner("Small")
    won(firm, "3000.00")
    q3 = run_of(commission)
    payout = q3.payouts.get()
    assert (payout.payable, payout.carried, payout.status) == (
        D("0.00"),
        D("300.00"),
        "below_minimum",
    )
    approve(q3, second_finance)
    won(firm, "3000.00", on=datetime.date(2026, 11, 2))
    q4 = run_of(commission, day=datetime.date(2026, 10, 1))
    assert amounts(q4)["Small"] == D("600.00")


def test_line_items_are_rounded_once_and_add_up_to_the_totals(a):
    commission = program("commission", percent=D("2.5"))
    firm = partner("Cents")
    for amount in ("0.10", "0.20", "0.30", "0.50", "0.70", "12.34", "999.99"):
        won(firm, amount)
    run = run_of(commission)
    items = list(PayoutItem.objects.filter(run=run))
    # 2.5 % of each, half-up to the cent: 0.0025→0.00 (no item), 0.005→0.01,
    # 0.0075→0.01, 0.0125→0.01, 0.0175→0.02, 0.3085→0.31, 24.99975→25.00
    assert sorted(i.amount for i in items) == [
        D(x) for x in ("0.01", "0.01", "0.01", "0.02", "0.31", "25.00")
    ]
    payout = run.payouts.get()
    assert payout.total == sum(i.amount for i in items) == D("25.36")
    assert run.total == payout.payable
