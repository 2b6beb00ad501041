"""Credit notes in the won-order import: a row with a negative amount and the
``reverses_order_ref`` of an imported order takes back (part of) that order's
line for the same product.  It becomes a reversal revenue line — never more
than is left of the line, each credit note line once — and incentives claw
back the share its line earned."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db.models import Sum
from django.utils.translation import gettext as _

from prm.csv_import import Sheet

from .models import Product, RevenueLine

_NEGATIVE = re.compile(r"^-\d+(\.\d+)?$")
MAX_AMOUNT_DIGITS = 16


@dataclass
class CreditLine:
    number: int
    credit_ref: str
    original: RevenueLine
    amount: Decimal  # negative
    closed_on: date


def is_credit_row(cells: dict[str, str]) -> bool:
    return bool(cells.get("reverses_order_ref")) or cells["amount"].startswith("-")


def _amount(sheet: Sheet, number: int, value: str) -> Decimal | None:
    try:
        amount = Decimal(value) if _NEGATIVE.match(value) else None
    except InvalidOperation:
        amount = None
    if amount is None or amount == 0:
        sheet.problem(
            number,
            "amount",
            _("A credit note takes an amount below zero, like -250.00, not “%(value)s”.")
            % {"value": value},
        )
        return None
    if amount.as_tuple().exponent < -2 or amount.adjusted() >= MAX_AMOUNT_DIGITS:
        sheet.problem(number, "amount", _("Use at most two decimal places and 16 digits."))
        return None
    return amount


def check_credit_rows(
    sheet: Sheet, rows: list[tuple[int, dict]], products: dict[str, Product], closing_date
) -> list[CreditLine]:
    """The credit rows that hold; a problem for each that does not (three
    queries for the whole file)."""
    wanted = {
        (cells["reverses_order_ref"], products[cells["product_code"].lower()].pk)
        for _n, cells in rows
        if cells["reverses_order_ref"] and cells["product_code"].lower() in products
    }
    originals = {
        (line.order_ref, line.product_id): line
        for line in RevenueLine.objects.filter(
            source=RevenueLine.Source.ORDER_IMPORT,
            order_ref__in={ref for ref, _p in wanted},
        )
        if (line.order_ref, line.product_id) in wanted
    }
    taken = dict(
        RevenueLine.objects.filter(reverses__in=[o.pk for o in originals.values()])
        .values_list("reverses_id")
        .annotate(total=Sum("amount"))
    )
    used_refs = set(
        RevenueLine.objects.filter(
            source=RevenueLine.Source.REVERSAL,
            order_ref__in={cells["order_ref"] for _n, cells in rows},
        ).values_list("order_ref", "product_id")
    )
    in_file: dict[int, Decimal] = defaultdict(Decimal)
    seen: dict[tuple[str, int], int] = {}
    lines = []
    for number, cells in rows:
        before = len(sheet.problems)
        sheet.require(number, cells, ("order_ref", "product_code", "amount"))
        sheet.require(number, cells, ("currency", "closed_on"))
        if cells["amount"] and not cells["reverses_order_ref"]:
            sheet.problem(
                number,
                "amount",
                _(
                    "The amount cannot be negative, unless the row is a credit note: then "
                    "give reverses_order_ref, the order it takes back."
                ),
            )
        sheet.too_long(number, "order_ref", cells["order_ref"], 100)
        amount = _amount(sheet, number, cells["amount"]) if cells["amount"] else None
        closed_on = closing_date(sheet, number, cells["closed_on"])
        product = products.get(cells["product_code"].lower())
        if cells["product_code"] and product is None:
            sheet.problem(
                number,
                "product_code",
                _("“%(code)s” is not an active product.") % {"code": cells["product_code"]},
            )
        original = originals.get((cells["reverses_order_ref"], product.pk)) if product else None
        if product and cells["reverses_order_ref"] and original is None:
            sheet.problem(
                number,
                "reverses_order_ref",
                _("No imported order %(ref)s has product %(code)s to take back.")
                % {"ref": cells["reverses_order_ref"], "code": product.code},
            )
        if len(sheet.problems) > before or original is None or amount is None:
            continue
        key = (cells["order_ref"], product.pk)
        if key in used_refs:
            sheet.problem(
                number,
                "order_ref",
                _("Credit note %(ref)s with product %(code)s was imported before.")
                % {"ref": cells["order_ref"], "code": product.code},
            )
            continue
        if key in seen:
            sheet.problem(
                number,
                "order_ref",
                _("Credit note %(ref)s with this product is already in row %(row)d.")
                % {"ref": cells["order_ref"], "row": seen[key]},
            )
            continue
        seen[key] = number
        if cells["currency"].upper() != original.currency:
            sheet.problem(
                number,
                "currency",
                _("Order %(ref)s is in %(currency)s.")
                % {"ref": original.order_ref, "currency": original.currency},
            )
            continue
        if closed_on < original.closed_on:
            sheet.problem(
                number,
                "closed_on",
                _("A credit note cannot predate the order it takes back."),
            )
            continue
        left = original.amount + taken.get(original.pk, Decimal("0")) + in_file[original.pk]
        if -amount > left:
            sheet.problem(
                number,
                "amount",
                _("Only %(left)s of order %(ref)s is left to take back.")
                % {"left": left, "ref": original.order_ref},
            )
            continue
        in_file[original.pk] += amount
        lines.append(CreditLine(number, cells["order_ref"], original, amount, closed_on))
    return lines


def write_credit_lines(lines: list[CreditLine]) -> None:
    RevenueLine.objects.bulk_create(
        RevenueLine(
            partner_id=line.original.partner_id,
            registration_id=line.original.registration_id,
            product_id=line.original.product_id,
            amount=line.amount,
            currency=line.original.currency,
            closed_on=line.closed_on,
            source=RevenueLine.Source.REVERSAL,
            order_ref=line.credit_ref,
            reverses=line.original,
            reason=_("Credit note %(ref)s") % {"ref": line.credit_ref},
        )
        for line in lines
    )
