"""Exchange rates the vendor keeps: effective-dated, one per pair and day."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from prm.actions import action
from prm.audit import audit_record
from prm.models import Membership
from prm.policies import can_manage_exchange_rates

from ..models import ExchangeRate

MAX_RATE = Decimal("9999999999")


def _code(value: str, field: str, errors: dict) -> str:
    code = (value or "").strip().upper()
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        errors[field] = _("Use a three-letter ISO 4217 code.")
    return code


@action(can_manage_exchange_rates)
def exchange_rate_set(
    *, currency: str, to_currency: str, rate, effective_on: datetime.date, by: Membership
) -> ExchangeRate:
    """One ``currency`` is worth ``rate`` ``to_currency`` from ``effective_on``
    on; setting the same pair and day again corrects that rate."""
    errors: dict[str, str] = {}
    currency = _code(currency, "currency", errors)
    to_currency = _code(to_currency, "to_currency", errors)
    if not errors and currency == to_currency:
        errors["to_currency"] = _("Convert between two different currencies.")
    try:
        rate = Decimal(str(rate))
        if not rate.is_finite() or rate <= 0 or rate > MAX_RATE:
            raise InvalidOperation
        if rate != rate.quantize(Decimal("0.00000001")):
            errors["rate"] = _("Give the rate with at most 8 decimal places.")
    except (InvalidOperation, ValueError):
        errors["rate"] = _("Enter a rate above zero.")
    if not isinstance(effective_on, datetime.date):
        errors["effective_on"] = _("Enter the date from which the rate applies.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row, _created = ExchangeRate.objects.update_or_create(
            currency=currency,
            to_currency=to_currency,
            effective_on=effective_on,
            defaults={"rate": rate},
        )
        audit_record(actor=by.user, action="exchange_rate.set", target=row, rate=str(rate))
    return row
