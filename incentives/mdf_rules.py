"""What makes an MDF request or claim acceptable: pure checks that name every
problem at once, by field, and the arithmetic of allocations."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import ActivityType

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
MAX_MONEY = Decimal("9999999999999999.99")
MAX_COUNT = 10_000_000
MAX_PROOFS = 10
MAX_PROOF_BYTES = 10 * 1024 * 1024
PROOF_KINDS = {"pdf", "png", "jpg", "csv", "xlsx"}


@dataclass(frozen=True)
class ActivityPlan:
    """A planned activity as a partner describes it in a request."""

    activity_type: str
    title: str
    description: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    amount: Decimal | None
    expected_leads: int | None = None
    expected_attendees: int | None = None
    expected_results: str = ""
    cofunding_percent: Decimal | None = None


@dataclass(frozen=True)
class ClaimReport:
    """What the partner reports after the activity."""

    amount: Decimal | None
    actual_leads: int | None = None
    actual_attendees: int | None = None
    results: str = ""


def money_problem(value: Decimal | None) -> str | None:
    if value is None:
        return _("Enter the amount.")
    if value <= 0 or value > MAX_MONEY:
        return _("Enter an amount above zero.")
    if value != value.quantize(CENT):
        return _("Enter the amount in whole cents.")
    return None


def _count_problem(value: int | None) -> str | None:
    if value is not None and not 0 <= value <= MAX_COUNT:
        return _("Enter a count of zero or more.")
    return None


def _raise(errors: dict[str, str | None]) -> None:
    found = {name: message for name, message in errors.items() if message}
    if found:
        raise ValidationError(found)


def plan_check(plan: ActivityPlan) -> ActivityPlan:
    """The plan, cleaned, if it makes a request; a ValidationError naming each
    problem by field otherwise."""
    title = (plan.title or "").strip()
    description = (plan.description or "").strip()
    errors: dict[str, str | None] = {
        "activity_type": None
        if plan.activity_type in ActivityType.values
        else _("Choose the kind of activity."),
        "title": None if title else _("Give the activity a title."),
        "description": None if description else _("Describe the activity."),
        "amount": money_problem(plan.amount),
        "expected_leads": _count_problem(plan.expected_leads),
        "expected_attendees": _count_problem(plan.expected_attendees),
    }
    if len(title) > 160:
        errors["title"] = _("Keep the title to 160 characters.")
    if len(description) > 4000:
        errors["description"] = _("Keep the description to 4,000 characters.")
    if len(plan.expected_results or "") > 300:
        errors["expected_results"] = _("Keep this to 300 characters.")
    if plan.starts_on is None:
        errors["starts_on"] = _("Enter the first day of the activity.")
    if plan.ends_on is None:
        errors["ends_on"] = _("Enter the last day of the activity.")
    elif plan.starts_on and plan.ends_on < plan.starts_on:
        errors["ends_on"] = _("The activity cannot end before it starts.")
    share = plan.cofunding_percent
    if share is not None and not Decimal("0") <= share < HUNDRED:
        errors["cofunding_percent"] = _("The partner's share lies between 0 and 100 (not 100).")
    _raise(errors)
    return ActivityPlan(
        activity_type=plan.activity_type,
        title=title,
        description=description,
        starts_on=plan.starts_on,
        ends_on=plan.ends_on,
        amount=plan.amount,
        expected_leads=plan.expected_leads,
        expected_attendees=plan.expected_attendees,
        expected_results=(plan.expected_results or "").strip(),
        cofunding_percent=share,
    )


def report_check(report: ClaimReport) -> ClaimReport:
    results = (report.results or "").strip()
    errors = {
        "amount": money_problem(report.amount),
        "actual_leads": _count_problem(report.actual_leads),
        "actual_attendees": _count_problem(report.actual_attendees),
        "results": _("Keep this to 4,000 characters.") if len(results) > 4000 else None,
    }
    _raise(errors)
    return ClaimReport(report.amount, report.actual_leads, report.actual_attendees, results)


def revenue_share(revenue: Decimal | None, percent: Decimal | None) -> Decimal:
    """A revenue-share allocation: the revenue times the tier's MDF %, half-up
    to the cent; nothing for no (or negative) revenue or no percentage."""
    if not revenue or revenue <= 0 or not percent:
        return Decimal("0")
    return (revenue * percent / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def cost_per(amount: Decimal | None, count: int | None) -> Decimal | None:
    """What one lead (or attendee) cost; None without any."""
    if amount is None or not count:
        return None
    return (amount / count).quantize(CENT, rounding=ROUND_HALF_UP)
