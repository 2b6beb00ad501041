"""Payout items in plain words, and money as the reader's locale writes it.

Pure: it reads the item rows it is given (with their revenue line,
registration and previous payout already loaded) and the active language;
statements, the console and the accounts-payable export all describe an item
through here, so a rule reads the same everywhere.  The rule codes are the
ones ``incentives.earnings`` and the budget decision store in
``PayoutItem.rule`` and ``rule_detail``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ItemKind, PayoutItem

NBSP = "\u00a0"

RATE_RULES = {
    "program": gettext_lazy("Program rate: %(rate)s %%"),
    "product": gettext_lazy("Product rate: %(rate)s %%"),
    "tier": gettext_lazy("Tier rate: %(rate)s %%"),
    "product_tier": gettext_lazy("Product and tier rate: %(rate)s %%"),
}
FIXED_RULES = {
    "fixed_program": gettext_lazy("Fixed amount per deal"),
    "fixed_product": gettext_lazy("Fixed amount per deal for the product"),
    "fixed_tier": gettext_lazy("Fixed amount per deal for the tier"),
    "fixed_product_tier": gettext_lazy("Fixed amount per deal for the product and tier"),
}
CARRIED_REASONS = {
    "below_minimum": gettext_lazy("below the minimum payout"),
    "negative": gettext_lazy("negative balance"),
}


def _trimmed(value: Decimal) -> Decimal:
    """4.0000 → 4 and 2.5000 → 2.5, without the exponent ``normalize`` gives 100."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def amount_text(value: Decimal) -> str:
    """A money amount with two decimals, grouped as the active language groups."""
    return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


def money(value: Decimal, currency: str) -> str:
    return f"{amount_text(value)}{NBSP}{currency}"


def number_text(value: Decimal) -> str:
    """A rate or factor with only the decimals it needs."""
    return number_format(_trimmed(value), use_l10n=True, force_grouping=True)


def day_text(day) -> str:
    return date_format(day, "DATE_FORMAT")


def period_text(start, end) -> str:
    return _("%(start)s to %(end)s") % {"start": day_text(start), "end": day_text(end)}


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except (InvalidOperation, TypeError):
        return None


def _base_rule(item: PayoutItem) -> str:
    rule, detail = item.rule, item.rule_detail
    rate = number_text(item.rate) if item.rate is not None else "—"
    if item.kind == ItemKind.ADJUSTMENT:
        label = str(ItemKind.ADJUSTMENT.label)
        return f"{label}: {detail}" if detail else label
    if item.kind == ItemKind.MDF_CLAIM:
        return _("Approved MDF claim")
    if item.kind == ItemKind.BROUGHT_FORWARD:
        reason = CARRIED_REASONS.get(rule)
        if reason is None:
            return _("Balance brought forward")
        return _("Balance brought forward (%(reason)s)") % {"reason": reason}
    if rule == "bracket":
        threshold = _decimal(detail)
        if threshold is None:
            return _("Bracket: %(rate)s %%") % {"rate": rate}
        return _("Bracket from %(threshold)s: %(rate)s %%") % {
            "threshold": amount_text(threshold),
            "rate": rate,
        }
    if rule == "marginal":
        return _("Marginal brackets: %(rate)s %% on average") % {"rate": rate}
    if rule in RATE_RULES:
        return RATE_RULES[rule] % {"rate": rate}
    if rule in FIXED_RULES:
        return str(FIXED_RULES[rule])
    if rule == "reversal":
        return _("Clawback of a reversal of revenue line #%(line)s") % {"line": detail}
    if rule == "pro_rata":
        left, _slash, total = detail.partition("/")
        left_amount, total_amount = _decimal(left), _decimal(total)
        if left_amount is None or total_amount is None:
            return _("Scaled pro rata to the program's budget")
        return _("Scaled pro rata to the program's budget: %(left)s of %(total)s") % {
            "left": amount_text(left_amount),
            "total": amount_text(total_amount),
        }
    if rule == "ineligible":
        return _("No longer eligible: the earlier payment is taken back")
    return rule or "—"


def rule_text(item: PayoutItem, *, currency: str) -> str:
    """The rule an item applied, in plain words: the rate and how it was
    reached, the tier multiplier, the conversion and, for a true-up, what was
    earned and paid before.  Every kind of line but an earning says what it
    is (a clawback, a balance brought forward, the budget, a true-up, an
    adjustment), so the words stand for the line's kind as well."""
    parts = [_base_rule(item)]
    if item.multiplier is not None and item.multiplier != 1:
        parts.append(_("× %(factor)s tier multiplier") % {"factor": number_text(item.multiplier)})
    if item.source_currency and item.source_currency != currency and item.exchange_rate:
        parts.append(
            _("converted at %(rate)s %(to)s per %(from)s")
            % {
                "rate": number_text(item.exchange_rate),
                "to": currency,
                "from": item.source_currency,
            }
        )
    if item.kind == ItemKind.TRUE_UP and item.earned_to_date is not None:
        parts.append(
            _("true-up: %(earned)s earned to date, %(paid)s paid before")
            % {
                "earned": money(item.earned_to_date, currency),
                "paid": money(item.paid_before or Decimal("0"), currency),
            }
        )
    return "; ".join(parts)


def source_text(item: PayoutItem) -> str:
    """Where an item comes from: the registration's customer, the order and
    revenue line it was earned on, or the payout whose balance it brings forward."""
    if item.kind == ItemKind.BROUGHT_FORWARD and item.previous_payout_id:
        previous = item.previous_payout.run
        return _("Balance of the run %(period)s") % {
            "period": period_text(previous.period_start, previous.period_end)
        }
    if item.kind == ItemKind.BUDGET:
        return _("The program's budget")
    if item.kind == ItemKind.MDF_CLAIM:
        return _("MDF claim #%(id)s: %(activity)s") % {
            "id": item.mdf_claim_id,
            "activity": item.rule_detail,
        }
    parts = []
    if item.registration_id:
        parts.append(item.registration.customer_name)
    line = item.revenue_line if item.revenue_line_id else None
    if line is not None:
        if line.order_ref:
            parts.append(_("order %(ref)s") % {"ref": line.order_ref})
        parts.append(
            _("revenue line #%(id)s of %(day)s") % {"id": line.pk, "day": day_text(line.closed_on)}
        )
        parts.append(money(line.amount, line.currency))
    return " · ".join(parts) or "—"


def totals_by_currency(items, currency: str) -> list[tuple[str, Decimal]]:
    """What the lines add up to, per currency: every item is in its payout's
    currency, so one total, or none without items."""
    if not items:
        return []
    return [(currency, sum((item.amount for item in items), Decimal("0")))]


def revenue_by_currency(items) -> list[tuple[str, Decimal]]:
    """The revenue the lines were earned on, per currency it was sold in."""
    totals: dict[str, Decimal] = {}
    for item in items:
        if item.source_amount is not None and item.source_currency:
            totals[item.source_currency] = (
                totals.get(item.source_currency, Decimal("0")) + item.source_amount
            )
    return sorted(totals.items())
