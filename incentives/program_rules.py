"""A program's terms as entered, and whether they make a program: pure checks
that name every problem at once, by field."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .brackets import HUNDRED, MARGINAL, RETROACTIVE, Bracket, brackets_check

KINDS = ("rebate", "commission", "spif", "registration_bonus", "mdf")
MDF_ALLOCATIONS = ("fixed", "revenue_share", "manual")
CALENDARS = ("monthly", "quarterly", "yearly", "custom")
MAX_MONEY = Decimal("9999999999999999.99")
MAX_POINTS = 1_000_000


@dataclass(frozen=True)
class RateTerm:
    """A rate for one product, one tier or both: a percentage or a fixed amount."""

    product_id: int | None = None
    tier_id: int | None = None
    percent: Decimal | None = None
    fixed_amount: Decimal | None = None


@dataclass(frozen=True)
class ProgramTerms:
    name: str
    kind: str
    calendar: str
    starts_on: datetime.date
    ends_on: datetime.date
    currency: str
    description: str = ""
    rebate_method: str = ""
    percent: Decimal | None = None
    fixed_amount: Decimal | None = None
    min_deal_amount: Decimal | None = None
    budget_cap: Decimal | None = None
    minimum_payout: Decimal = Decimal("0")
    four_eyes_above: Decimal = Decimal("10000")
    pays_in: str = "cash"
    mdf_allocation: str = ""
    claim_window_days: int = 60
    reminder_days: int = 14
    eligible_tier_ids: tuple[int, ...] = ()
    eligible_types: tuple[str, ...] = ()
    eligible_countries: tuple[str, ...] = ()
    eligible_regions: tuple[str, ...] = ()
    eligible_product_ids: tuple[int, ...] = ()
    brackets: tuple[Bracket, ...] = ()
    rates: tuple[RateTerm, ...] = field(default=())


def _percent_problem(value: Decimal | None) -> str | None:
    if value is not None and not Decimal("0") <= value <= HUNDRED:
        return _("A percentage lies between 0 and 100.")
    return None


def _money_problem(value: Decimal | None) -> str | None:
    if value is not None and not Decimal("0") <= value <= MAX_MONEY:
        return _("Enter an amount of zero or more.")
    if value is not None and value != value.quantize(Decimal("0.01")):
        return _("Enter the amount in whole cents.")
    return None


def _mdf_check(terms: ProgramTerms, problem) -> None:
    """Funds are allocated, requested and claimed; a claim is paid whole."""
    if terms.mdf_allocation not in MDF_ALLOCATIONS:
        problem("mdf_allocation", _("Choose how funds are allocated."))
    elif terms.mdf_allocation == "fixed" and not terms.fixed_amount:
        problem("fixed_amount", _("Give the amount every eligible partner is allocated."))
    if terms.percent is not None or terms.min_deal_amount is not None:
        problem("percent", _("Market development funds have no percentage or deal size."))
    if terms.brackets or terms.rates:
        problem("rates", _("Market development funds have no brackets or rates."))
    if terms.minimum_payout:
        problem("minimum_payout", _("Approved claims are paid whole: no minimum payout."))
    if not 1 <= terms.claim_window_days <= 366:
        problem("claim_window_days", _("Allow between 1 and 366 days to claim."))
    if not 0 <= terms.reminder_days <= terms.claim_window_days:
        problem("reminder_days", _("Remind at most as early as the claim window is long."))


def _points_check(terms: ProgramTerms, problem) -> None:
    """A SPIF paid in points credits whole points per qualifying deal."""
    if terms.kind != "spif":
        problem("pays_in", _("Only a SPIF can pay in points."))
        return
    if terms.percent is not None or terms.fixed_amount is None:
        problem("fixed_amount", _("Give the whole points a qualifying deal earns."))
    elif (
        not 0 < terms.fixed_amount <= MAX_POINTS
        or terms.fixed_amount != terms.fixed_amount.to_integral_value()
    ):
        problem("fixed_amount", _("Points are whole numbers from 1 to 1,000,000."))
    if terms.rates:
        problem("rates", _("A SPIF paid in points has one amount of points per deal."))


def terms_check(terms: ProgramTerms) -> ProgramTerms:
    """The terms if they make a program; a ValidationError naming each problem
    by field otherwise."""
    errors: dict[str, list[str]] = {}

    def problem(name: str, message: str | None) -> None:
        if message:
            errors.setdefault(name, []).append(message)

    if not terms.name.strip():
        problem("name", _("Give the program a name."))
    if terms.kind not in KINDS:
        problem("kind", _("Choose the type of program."))
    if terms.calendar not in CALENDARS:
        problem("calendar", _("Choose how the program is divided into periods."))
    if terms.ends_on < terms.starts_on:
        problem("ends_on", _("The program cannot end before it starts."))
    if len(terms.currency) != 3 or not terms.currency.isalpha() or not terms.currency.isupper():
        problem("currency", _("Use a three-letter ISO 4217 code."))
    for name in ("fixed_amount", "min_deal_amount", "budget_cap", "minimum_payout"):
        problem(name, _money_problem(getattr(terms, name)))
    problem("four_eyes_above", _money_problem(terms.four_eyes_above))
    problem("percent", _percent_problem(terms.percent))
    if terms.kind == "rebate":
        if terms.rebate_method not in (RETROACTIVE, MARGINAL):
            problem("rebate_method", _("Choose retroactive or marginal brackets."))
        try:
            brackets_check(terms.brackets)
        except ValidationError as error:
            for message in error.messages:
                problem("brackets", message)
        for rate in terms.rates:
            if rate.product_id is None or rate.tier_id is not None or rate.percent is None:
                problem("rates", _("A rebate's own rates are percentages for one product."))
                break
    elif terms.kind == "mdf":
        _mdf_check(terms, problem)
    elif terms.kind in KINDS:
        if (terms.percent is None) == (terms.fixed_amount is None):
            problem("percent", _("Give either a percentage or a fixed amount."))
        if terms.brackets:
            problem("brackets", _("Only a rebate has volume brackets."))
    if terms.pays_in not in ("cash", "points"):
        problem("pays_in", _("Choose cash or points."))
    elif terms.pays_in == "points":
        _points_check(terms, problem)
    seen = set()
    for rate in terms.rates:
        key = (rate.product_id, rate.tier_id)
        if key == (None, None):
            problem("rates", _("A rate names a product, a tier or both."))
        if key in seen:
            problem("rates", _("Each product and tier has one rate."))
        seen.add(key)
        if (rate.percent is None) == (rate.fixed_amount is None):
            problem("rates", _("A rate is either a percentage or a fixed amount."))
        problem("rates", _percent_problem(rate.percent))
        problem("rates", _money_problem(rate.fixed_amount))
    if errors:
        raise ValidationError({name: sorted(set(m)) for name, m in errors.items()})
    return terms
