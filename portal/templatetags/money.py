"""Money for the reader's locale: ``{{ amount|money:currency }}`` gives
``183,000.00 USD`` or ``183 000,00 USD``, always with two decimals."""

from django import template
from django.utils.formats import number_format

from incentives.statement_text import rule_text

register = template.Library()


@register.filter
def money(value, currency: str = "") -> str:
    if value is None or value == "":
        return "—"
    shown = number_format(value, 2, use_l10n=True, force_grouping=True)
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
