"""Rebate brackets with amounts computed by hand: 0: 2 %, 100,000: 4 %,
500,000: 6 %, paid retroactively or marginally, at and around the thresholds."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from incentives.brackets import (
    MARGINAL,
    RETROACTIVE,
    Bracket,
    RevenueInput,
    allocate,
    brackets_check,
    money,
    next_bracket,
    rebate,
    rebate_lines,
    rebate_parts,
)

SCHEDULE = [
    Bracket(D("0"), D("2")),
    Bracket(D("100000"), D("4")),
    Bracket(D("500000"), D("6")),
]


@pytest.mark.parametrize(
    "volume, retroactive, marginal",
    [
        # one cent below the first threshold above zero: 2 % of all
        ("99999.99", "1999.9998", "1999.9998"),
        # exactly the threshold: 4 % of all, or 2 % of the 100,000 below it
        ("100000.00", "4000.00", "2000.00"),
        ("100000.01", "4000.0004", "2000.0004"),
        ("250000", "10000", "8000"),  # marginal: 2,000 + 150,000 × 4 %
        ("499999.99", "19999.9996", "17999.9996"),
        ("500000", "30000", "18000"),  # marginal: 2,000 + 16,000
        ("750000", "45000", "33000"),  # marginal: 18,000 + 250,000 × 6 %
        ("0", "0", "0"),
    ],
)
def test_retroactive_and_marginal_rebates(volume, retroactive, marginal):
    assert rebate(SCHEDULE, D(volume), RETROACTIVE) == D(retroactive)
    assert rebate(SCHEDULE, D(volume), MARGINAL) == D(marginal)


def test_marginal_parts_say_which_bracket_paid_what():
    parts = rebate_parts(SCHEDULE, D("750000"), MARGINAL)
    assert [(p.bracket.rate, p.base, p.amount) for p in parts] == [
        (D("2"), D("100000"), D("2000")),
        (D("4"), D("400000"), D("16000")),
        (D("6"), D("250000"), D("15000")),
    ]
    [only] = rebate_parts(SCHEDULE, D("750000"), RETROACTIVE)
    assert (only.bracket.rate, only.base, only.amount) == (D("6"), D("750000"), D("45000"))


def test_below_a_first_threshold_above_zero_nothing_is_earned():
    schedule = [Bracket(D("10000"), D("3"))]
    assert rebate(schedule, D("9999.99"), RETROACTIVE) == 0
    assert rebate(schedule, D("9999.99"), MARGINAL) == 0
    assert rebate(schedule, D("10000"), RETROACTIVE) == D("300")
    assert rebate(schedule, D("10000"), MARGINAL) == 0
    assert rebate(schedule, D("20000"), MARGINAL) == D("300")


def test_the_next_bracket_and_what_reaching_it_adds():
    retro = next_bracket(SCHEDULE, D("80000"), RETROACTIVE)
    assert (retro.bracket.threshold, retro.volume_missing, retro.rebate_added) == (
        D("100000"),
        D("20000"),
        D("2400"),  # 4,000 at 100,000 against 1,600 today
    )
    marginal = next_bracket(SCHEDULE, D("80000"), MARGINAL)
    assert marginal.rebate_added == D("400")  # 2,000 against 1,600
    assert next_bracket(SCHEDULE, D("500000"), RETROACTIVE) is None


def test_a_tier_multiplier_applies_on_top_and_rounds_once():
    # 4 % of 123,456.78 = 4,938.2712; × 1.25 = 6,172.839 → 6,172.84
    assert money(rebate(SCHEDULE, D("123456.78"), RETROACTIVE) * D("1.25")) == D("6172.84")
    assert money(D("0.005")) == D("0.01") and money(D("-0.005")) == D("-0.01")


@pytest.mark.parametrize(
    "total, weights, expected",
    [
        ("100.00", ["1", "1", "1"], ["33.34", "33.33", "33.33"]),
        ("0.05", ["1", "1", "1", "1", "1", "1"], ["0.01"] * 5 + ["0.00"]),
        ("10.00", ["3", "1"], ["7.50", "2.50"]),
        ("-100.00", ["1", "1", "1"], ["-33.33", "-33.33", "-33.34"]),
        ("1234.57", ["700.10", "300.33", "0.01"], None),
    ],
)
def test_allocation_loses_no_cent(total, weights, expected):
    lines = allocate(D(total), [D(w) for w in weights])
    assert sum(lines) == D(total)
    assert all(line == money(line) for line in lines)
    if expected is not None:
        assert lines == [D(e) for e in expected]


def test_allocation_refuses_fractions_of_a_cent_and_zero_weights():
    with pytest.raises(ValueError):
        allocate(D("1.001"), [D("1")])
    with pytest.raises(ValueError):
        allocate(D("1.00"), [D("0"), D("0")])


@pytest.mark.parametrize(
    "brackets, says",
    [
        ([], "at least one"),
        ([Bracket(D("0"), D("2")), Bracket(D("0"), D("4"))], "start above"),  # overlapping
        (
            [Bracket(D("0"), D("2")), Bracket(D("500000"), D("6")), Bracket(D("100000"), D("4"))],
            "start above",
        ),  # unordered
        ([Bracket(D("0"), D("-1"))], "between 0 and 100"),
        ([Bracket(D("0"), D("101"))], "between 0 and 100"),
        ([Bracket(D("-5"), D("1"))], "below zero"),
    ],
)
def test_bad_schedules_are_refused_with_a_reason(brackets, says):
    with pytest.raises(ValidationError) as refused:
        brackets_check(brackets)
    assert any(says in message for message in refused.value.messages)


def test_a_good_schedule_passes():
    assert brackets_check(SCHEDULE) == SCHEDULE


A, B = 1, 2  # products


def _lines(*amounts_and_products):
    return [
        RevenueInput(source_id=i, product_id=product, amount=D(amount))
        for i, (amount, product) in enumerate(amounts_and_products, 1)
    ]


def test_product_rates_take_precedence_and_the_multiplier_applies_on_top():
    # volume 150,000 reaches the 4 % bracket; product B has its own 8 %
    lines = _lines(("60000", A), ("40000", B), ("50000", A))
    paid = rebate_lines(
        lines, SCHEDULE, RETROACTIVE, product_rates={B: D("8")}, multiplier=D("1.25")
    )
    assert {(p.source_id, p.rule, p.rate, p.amount) for p in paid} == {
        (1, "bracket", D("4"), D("3000.00")),  # 60,000 × 4 % × 1.25
        (2, "product", D("8"), D("4000.00")),  # 40,000 × 8 % × 1.25
        (3, "bracket", D("4"), D("2500.00")),  # 50,000 × 4 % × 1.25
    }


def test_marginal_lines_share_the_schedules_rebate():
    # whole volume 150,000 → 2,000 + 50,000 × 4 % = 4,000 by the schedule;
    # lines 1 and 3 share it by amount (60:50 of 150) × 1.25, line 2 has 8 %
    lines = _lines(("60000", A), ("40000", B), ("50000", A))
    paid = rebate_lines(lines, SCHEDULE, MARGINAL, product_rates={B: D("8")}, multiplier=D("1.25"))
    amounts = {p.source_id: p.amount for p in paid}
    assert amounts == {1: D("2000.00"), 2: D("4000.00"), 3: D("1666.67")}


@pytest.mark.parametrize(
    "amounts, rate",
    [(("60000.00", "40000.00"), D("4")), (("60000.00", "39999.99"), D("2"))],
)
def test_lines_reach_a_bracket_together(amounts, rate):
    paid = rebate_lines(_lines(*[(a, A) for a in amounts]), SCHEDULE, RETROACTIVE)
    assert {p.rate for p in paid} == {rate}


def test_each_line_is_rounded_half_up_once():
    # three lines of 33,333.33 at 2 %: 666.6666 each, 666.67 each when rounded;
    # the payee's total is the sum of its lines
    paid = rebate_lines(_lines(*[("33333.33", A)] * 3), SCHEDULE, RETROACTIVE)
    assert [p.amount for p in paid] == [D("666.67")] * 3
    assert [money(p.exact) for p in paid] == [p.amount for p in paid]
