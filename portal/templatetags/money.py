"""Money for the reader's locale: ``{{ amount|money:currency }}`` gives
``183,000.00 USD`` or ``183 000,00 USD``, always with two decimals."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

from incentives.statement_text import rule_text

register = template.Library()


CENT = Decimal("0.01")


@register.filter
def money(value, currency: str = "") -> str:
    """The amount rounded half-up to the cent, grouped and with the decimal
    mark of the current language (Polish and French group with a no-break
    space, U+00A0, so a number never wraps), then the currency code; "—"
    when there is no amount."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    if not amount:
        amount = abs(amount)  # never "-0.00"
    shown = number_format(amount, 2, use_l10n=True, force_grouping=True)
    return f"{shown} {currency}".strip()


@register.filter
def percent(value) -> str:
    if value is None:
        return "—"
    return f"{number_format(value.normalize(), use_l10n=True)} %"


@register.filter
def item_rule(item, currency: str) -> str:
    """A payout line's rule in plain words, as its statement states it."""
    return rule_text(item, currency=currency)
