"""Volume brackets of a rebate: checking them, and what a volume earns.

A bracket is given by its lower threshold and its rate in per cent; a volume
reaches a bracket when it is at least the threshold.  A rebate is paid

* **retroactively**: the highest bracket reached applies to the whole volume;
* **marginally**: each bracket's rate applies only to the part of the volume
  inside it (from its threshold up to the next one).

Amounts here are exact ``Decimal`` values, never rounded: rounding to the
currency happens once per payable line (``money``), and totals are sums of
lines; ``allocate`` splits a sum over lines to the cent (a run scaled down to
its budget).  Pure functions: the
program page's preview, the payout calculation's tests and its row-by-row
comparison use the same rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

RETROACTIVE, MARGINAL = "retroactive", "marginal"
CENT = Decimal("0.01")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class Bracket:
    threshold: Decimal  # the volume from which this bracket applies
    rate: Decimal  # per cent


@dataclass(frozen=True)
class BracketPart:
    """The part of a volume paid at one bracket's rate."""

    bracket: Bracket
    base: Decimal
    amount: Decimal


def brackets_check(brackets: Sequence[Bracket]) -> list[Bracket]:
    """The brackets if they make a schedule; a ValidationError saying what is
    wrong otherwise (none, negative, over 100 %, unordered or overlapping)."""
    if not brackets:
        raise ValidationError(_("Give at least one bracket."))
    problems = []
    for index, bracket in enumerate(brackets, 1):
        if bracket.threshold < 0:
            problems.append(_("Bracket %(n)d starts below zero.") % {"n": index})
        if bracket.rate < 0 or bracket.rate > HUNDRED:
            problems.append(_("Bracket %(n)d's rate must lie between 0 and 100 %%.") % {"n": index})
    for index, (lower, upper) in enumerate(zip(brackets, brackets[1:], strict=False), 2):
        if upper.threshold <= lower.threshold:
            problems.append(
                _("Bracket %(n)d must start above the bracket before it.") % {"n": index}
            )
    if problems:
        raise ValidationError(problems)
    return list(brackets)


def bracket_reached(brackets: Sequence[Bracket], volume: Decimal) -> Bracket | None:
    """The highest bracket whose threshold the volume reaches (None below all)."""
    reached = None
    for bracket in brackets:
        if volume >= bracket.threshold:
            reached = bracket
    return reached


def rebate_parts(brackets: Sequence[Bracket], volume: Decimal, method: str) -> list[BracketPart]:
    """How ``volume`` is paid: one part for a retroactive rebate, one per bracket
    with volume in it for a marginal one; exact amounts."""
    if method == RETROACTIVE:
        reached = bracket_reached(brackets, volume)
        if reached is None or volume <= 0:
            return []
        return [BracketPart(reached, volume, volume * reached.rate / HUNDRED)]
    if method != MARGINAL:
        raise ValueError(f"unknown rebate method {method!r}")
    parts = []
    for index, bracket in enumerate(brackets):
        upper = brackets[index + 1].threshold if index + 1 < len(brackets) else None
        top = volume if upper is None else min(volume, upper)
        base = top - bracket.threshold
        if base > 0:
            parts.append(BracketPart(bracket, base, base * bracket.rate / HUNDRED))
    return parts


def rebate(brackets: Sequence[Bracket], volume: Decimal, method: str) -> Decimal:
    """What ``volume`` earns before any multiplier (exact)."""
    return sum((part.amount for part in rebate_parts(brackets, volume, method)), Decimal("0"))


@dataclass(frozen=True)
class NextBracket:
    bracket: Bracket
    volume_missing: Decimal
    rebate_added: Decimal  # what reaching it would add to today's rebate (exact)


def next_bracket(brackets: Sequence[Bracket], volume: Decimal, method: str) -> NextBracket | None:
    """The next bracket above ``volume``, how much volume is missing and what
    reaching it would add; None at the top."""
    for bracket in brackets:
        if bracket.threshold > volume:
            added = rebate(brackets, bracket.threshold, method) - rebate(brackets, volume, method)
            return NextBracket(bracket, bracket.threshold - volume, added)
    return None


def money(amount: Decimal) -> Decimal:
    """An exact amount rounded to the cent, halves away from zero."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``total`` (whole cents) over lines in proportion to ``weights`` so
    that the lines, in cents, add up to exactly ``total``: each line gets its
    share rounded down, and the cents left go to the largest remainders
    (earlier lines first on a tie)."""
    if total != money(total):
        raise ValueError("allocate() splits whole cents")
    if not weights:
        return []
    whole = sum(weights, Decimal("0"))
    if whole == 0:
        raise ValueError("allocate() needs weights that do not add up to zero")
    cents = int(total / CENT)
    shares = [Decimal(cents) * weight / whole for weight in weights]
    floors = [int(share.to_integral_value(rounding=ROUND_FLOOR)) for share in shares]
    left = cents - sum(floors)
    by_remainder = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
    for index in by_remainder[:left]:
        floors[index] += 1
    return [Decimal(floor) * CENT for floor in floors]


@dataclass(frozen=True)
class RevenueInput:
    """One eligible revenue line, already in the payout currency."""

    source_id: int
    product_id: int
    amount: Decimal


@dataclass(frozen=True)
class RebateLine:
    source_id: int
    base: Decimal
    rate: Decimal  # per cent, before the multiplier
    rule: str  # "product" or "bracket"
    exact: Decimal  # exact amount, multiplier applied
    amount: Decimal  # rounded half-up to the cent


def rebate_lines(
    lines: Sequence[RevenueInput],
    brackets: Sequence[Bracket],
    method: str,
    *,
    product_rates: dict[int, Decimal] | None = None,
    multiplier: Decimal = Decimal("1"),
) -> list[RebateLine]:
    """One payee's rebate, line by line.

    Every eligible line counts towards the volume that decides the brackets.
    A product with its own rate is paid that rate, whatever the bracket (its
    rate takes precedence).  The other lines are paid by the schedule: the
    rate of the bracket reached when retroactive; when marginal, they share
    the schedule's rebate on the whole volume in proportion to their amounts.
    The tier multiplier applies on top.  Each line is rounded half-up to the
    cent once; the payee's total is the sum of its lines."""
    product_rates = product_rates or {}
    volume = sum((line.amount for line in lines), Decimal("0"))
    own = [line for line in lines if line.product_id in product_rates]
    scheduled = [line for line in lines if line.product_id not in product_rates]
    exact: list[tuple[RevenueInput, Decimal, str, Decimal]] = []
    for line in own:
        rate = product_rates[line.product_id]
        exact.append((line, rate, "product", line.amount * rate / HUNDRED * multiplier))
    if scheduled and volume > 0:
        if method == RETROACTIVE:
            reached = bracket_reached(brackets, volume)
            rate = reached.rate if reached else Decimal("0")
            for line in scheduled:
                exact.append((line, rate, "bracket", line.amount * rate / HUNDRED * multiplier))
        else:
            whole = rebate(brackets, volume, MARGINAL)
            effective = whole / volume * HUNDRED  # the schedule's average rate, per cent
            for line in scheduled:
                share = whole * line.amount / volume * multiplier
                exact.append((line, effective, "bracket", share))
    return [
        RebateLine(line.source_id, line.amount, rate, rule, amount_exact, money(amount_exact))
        for line, rate, rule, amount_exact in exact
    ]
