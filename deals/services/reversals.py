"""Taking won revenue back: a credit note or a corrected deal becomes a
negative revenue line that names the line it reverses, so incentives claw back
what that line earned instead of rewriting history."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.actions import action
from prm.audit import audit_record
from prm.models import Membership
from prm.policies import can_import_won_orders

from ..models import RevenueLine


def _amount(value, errors) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors["amount"] = _("Enter the amount to take back.")
        return None
    if not amount.is_finite() or amount <= 0:
        errors["amount"] = _("Enter an amount above zero.")
    elif amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = _("Enter the amount in whole cents.")
    return amount


@action(can_import_won_orders)
def revenue_line_reverse(
    *,
    line: RevenueLine,
    amount,
    closed_on: datetime.date,
    reason: str,
    by: Membership,
) -> RevenueLine:
    """Record that ``amount`` of a won line was taken back on ``closed_on``
    (a credit note, a corrected deal).  Never more than what is left of the
    line, even when two people reverse it at once (the line's row is locked)."""
    errors: dict[str, str] = {}
    amount = _amount(amount, errors)
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Say why the revenue is taken back.")
    elif len(reason) > 200:
        errors["reason"] = _("Keep the reason to 200 characters.")
    if not isinstance(closed_on, datetime.date):
        errors["closed_on"] = _("Enter the date of the credit note or correction.")
    elif closed_on > timezone.localdate():
        errors["closed_on"] = _("The date cannot be in the future.")
    elif closed_on < line.closed_on:
        errors["closed_on"] = _("Revenue cannot be taken back before it was won.")
    if line.reverses_id is not None:
        errors["amount"] = _("A reversal cannot itself be reversed.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        original = RevenueLine.objects.select_for_update().get(pk=line.pk)
        taken = RevenueLine.objects.filter(reverses=original).aggregate(s=Sum("amount"))["s"]
        left = original.amount + (taken or Decimal("0"))
        if amount > left:
            raise ValidationError(
                {
                    "amount": _("Only %(left)s %(currency)s of this line is left to take back.")
                    % {"left": left, "currency": original.currency}
                }
            )
        reversal = RevenueLine.objects.create(
            partner_id=original.partner_id,
            registration_id=original.registration_id,
            product_id=original.product_id,
            amount=-amount,
            currency=original.currency,
            closed_on=closed_on,
            source=RevenueLine.Source.REVERSAL,
            reverses=original,
            reason=reason,
        )
        audit_record(actor=by.user, action="revenue.reversed", target=reversal, amount=str(amount))
    return reversal
