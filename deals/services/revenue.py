"""Won revenue from the vendor's order system: a CSV import of won order lines,
each matched to a registration, becoming the revenue lines incentives read."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO

from django.db.models import Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.models import PartnerDomain
from prm.actions import action
from prm.audit import audit_record
from prm.csv_import import CsvFormat, ImportOutcome, Sheet, run_import
from prm.dates import date_problem
from prm.models import Membership
from prm.policies import can_import_won_orders

from .. import credit_notes
from ..codes import domain_cell
from ..events import DEAL_WON, registrations_record
from ..lifecycle import protection_release, registration_transition
from ..models import DealRegistration, Product, RevenueLine
from ..models import RegistrationStatus as S
from ..normalise import customer_key

ORDER_COLUMNS = (
    "order_ref",
    "registration_id",
    "partner_domain",
    "customer_domain",
    "customer_name",
    "product_code",
    "amount",
    "currency",
    "closed_on",
    "reverses_order_ref",
)
ORDER_REQUIRED = ("order_ref", "product_code", "amount", "currency", "closed_on")
ORDER_CSV = CsvFormat(
    columns=ORDER_COLUMNS,
    required=ORDER_REQUIRED,
    no_rows_message=gettext_lazy("The file has a header but no rows."),
)
MATCHABLE = (S.APPROVED, S.WON)

_CURRENCY = re.compile(r"^[A-Za-z]{3}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_AMOUNT = re.compile(r"^\d+(\.\d+)?$")
_INTEGER = re.compile(r"^\d{1,18}$")
MAX_AMOUNT_DIGITS = 16  # DecimalField(max_digits=18, decimal_places=2)


@dataclass
class _OrderLine:
    number: int
    order_ref: str
    registration_id: int | None
    partner_domain: str
    customer_domain: str
    customer_key: str
    product: Product | None
    amount: Decimal
    currency: str
    closed_on: date
    registration: DealRegistration | None = None


@action(can_import_won_orders)
def orders_import_csv(*, file: IO[bytes], by: Membership) -> ImportOutcome:
    """Record won orders from a CSV file and match each line to a registration.

    A line names its registration by ``registration_id``, or by
    ``partner_domain`` with ``customer_domain`` (or, failing that,
    ``customer_name``) among that partner's approved and won registrations;
    no match or more than one is a problem of that row.  Each line becomes a
    RevenueLine (source: imported order) counted once per order reference and
    product — a line imported before is refused.  Approved registrations move to
    won with the sum of their lines and the latest closing date, and release
    their protection.  A row with a negative amount is a credit note: its
    ``reverses_order_ref`` names the imported order whose line (same product)
    it takes back, never more than is left (``credit_notes``).  Invariant: the
    whole file is written, or nothing."""
    return run_import(
        file,
        ORDER_CSV,
        check=_check_orders,
        write=lambda checked: _write_orders(*checked, by=by),
        conflict=_("Another import of these order lines got in the way; nothing was imported."),
    )


def _check_orders(sheet: Sheet) -> tuple[list[_OrderLine], list[credit_notes.CreditLine]]:
    products = _active_products(sheet)
    orders = [(n, cells) for n, cells in sheet.rows if not credit_notes.is_credit_row(cells)]
    credits = [(n, cells) for n, cells in sheet.rows if credit_notes.is_credit_row(cells)]
    lines = [
        line for line in (_check_order(sheet, n, cells, products) for n, cells in orders) if line
    ]
    _match_registrations(sheet, lines)
    _lines_are_new(sheet, lines)
    credit_lines = credit_notes.check_credit_rows(sheet, credits, products, _closing_date)
    return lines, credit_lines


def _active_products(sheet: Sheet) -> dict[str, Product]:
    codes = {cells["product_code"].lower() for _n, cells in sheet.rows if cells["product_code"]}
    found = (
        Product.objects.filter(is_active=True)
        .annotate(code_lower=Lower("code"))
        .filter(code_lower__in=codes)
    )
    return {product.code.lower(): product for product in found}


def _check_order(sheet, number, cells, products) -> _OrderLine | None:
    before = len(sheet.problems)
    sheet.require(number, cells, ORDER_REQUIRED)
    sheet.too_long(number, "order_ref", cells["order_ref"], 100)
    registration_id = None
    if cells["registration_id"]:
        if _INTEGER.match(cells["registration_id"]):
            registration_id = int(cells["registration_id"])
        else:
            sheet.problem(number, "registration_id", _("Give the registration's number."))
    partner_domain = domain_cell(sheet, number, "partner_domain", cells["partner_domain"])
    customer_domain = domain_cell(sheet, number, "customer_domain", cells["customer_domain"])
    if registration_id is None and not cells["registration_id"]:
        if not cells["partner_domain"]:
            sheet.problem(
                number,
                "registration_id",
                _("Give registration_id, or partner_domain with customer_domain or customer_name."),
            )
        elif not (cells["customer_domain"] or cells["customer_name"]):
            sheet.problem(number, "customer_domain", _("Give customer_domain or customer_name."))
    product = None
    if cells["product_code"]:
        product = products.get(cells["product_code"].lower())
        if product is None:
            sheet.problem(
                number,
                "product_code",
                _("“%(code)s” is not an active product.") % {"code": cells["product_code"]},
            )
    amount = _amount(sheet, number, cells["amount"])
    currency = cells["currency"].upper()
    if cells["currency"] and not _CURRENCY.match(cells["currency"]):
        sheet.problem(
            number,
            "currency",
            _("Use a three-letter currency code such as EUR, not “%(value)s”.")
            % {"value": cells["currency"]},
        )
    closed_on = _closing_date(sheet, number, cells["closed_on"])
    if len(sheet.problems) > before:
        return None
    return _OrderLine(
        number=number,
        order_ref=cells["order_ref"],
        registration_id=registration_id,
        partner_domain=partner_domain or "",
        customer_domain=customer_domain or "",
        customer_key=customer_key(cells["customer_name"]),
        product=product,
        amount=amount,
        currency=currency,
        closed_on=closed_on,
    )


def _amount(sheet: Sheet, number: int, value: str) -> Decimal | None:
    if not value:
        return None
    if value.startswith("-"):
        sheet.problem(number, "amount", _("The amount cannot be negative."))
        return None
    try:
        amount = Decimal(value) if _AMOUNT.match(value) else None
    except InvalidOperation:
        amount = None
    if amount is None:
        sheet.problem(
            number,
            "amount",
            _("Write the amount like 1234.50 (digits and a decimal point), not “%(value)s”.")
            % {"value": value},
        )
        return None
    if amount.as_tuple().exponent < -2:
        sheet.problem(number, "amount", _("Use at most two decimal places."))
        return None
    if amount.adjusted() >= MAX_AMOUNT_DIGITS:
        sheet.problem(number, "amount", _("The amount is too large."))
        return None
    return amount


def _closing_date(sheet: Sheet, number: int, value: str) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value) if _ISO_DATE.match(value) else None
    except ValueError:
        day = None
    if day is None:
        sheet.problem(
            number,
            "closed_on",
            _("Write the date as YYYY-MM-DD, not “%(value)s”.") % {"value": value},
        )
        return None
    if day > timezone.localdate():
        sheet.problem(number, "closed_on", _("The closing date is in the future."))
        return None
    if date_problem(day, "closed"):
        sheet.problem(number, "closed_on", date_problem(day, "closed"))
        return None
    return day


def _match_registrations(sheet: Sheet, lines: list[_OrderLine]) -> None:
    """Find each line's registration with three queries for the whole file."""
    by_id = {
        r.pk: r
        for r in DealRegistration.objects.filter(
            pk__in={line.registration_id for line in lines if line.registration_id},
            status__in=MATCHABLE,
        ).select_related("partner")
    }
    partner_of = dict(
        PartnerDomain.objects.filter(
            domain__in={line.partner_domain for line in lines if line.partner_domain}
        ).values_list("domain", "partner_id")
    )
    by_domain: dict[tuple[int, str], list[DealRegistration]] = defaultdict(list)
    by_key: dict[tuple[int, str], list[DealRegistration]] = defaultdict(list)
    named = [line for line in lines if not line.registration_id]
    candidates = DealRegistration.objects.filter(
        partner_id__in={
            partner_of[x.partner_domain] for x in named if x.partner_domain in partner_of
        },
        status__in=MATCHABLE,
    ).filter(
        Q(customer_domain__in={x.customer_domain for x in named if x.customer_domain})
        | Q(customer_key__in={x.customer_key for x in named if x.customer_key})
    )
    for registration in candidates.select_related("partner").order_by("pk"):
        if registration.customer_domain:
            by_domain[(registration.partner_id, registration.customer_domain)].append(registration)
        by_key[(registration.partner_id, registration.customer_key)].append(registration)
    for line in lines:
        if line.registration_id:
            line.registration = _by_id(sheet, line, by_id, partner_of)
        else:
            line.registration = _by_customer(sheet, line, partner_of, by_domain, by_key)
        registration = line.registration
        if registration is not None and registration.currency != line.currency:
            sheet.problem(
                line.number,
                "currency",
                _("Registration #%(id)d is in %(currency)s.")
                % {"id": registration.pk, "currency": registration.currency},
            )


def _by_id(sheet, line, by_id, partner_of) -> DealRegistration | None:
    registration = by_id.get(line.registration_id)
    if registration is None:
        sheet.problem(
            line.number,
            "registration_id",
            _("There is no approved or won registration #%(id)d.") % {"id": line.registration_id},
        )
        return None
    if line.partner_domain and partner_of.get(line.partner_domain) != registration.partner_id:
        sheet.problem(
            line.number,
            "partner_domain",
            _("Registration #%(id)d belongs to %(partner)s, not to %(domain)s.")
            % {
                "id": registration.pk,
                "partner": registration.partner.name,
                "domain": line.partner_domain,
            },
        )
        return None
    return registration


def _by_customer(sheet, line, partner_of, by_domain, by_key) -> DealRegistration | None:
    partner_id = partner_of.get(line.partner_domain)
    if partner_id is None:
        sheet.problem(
            line.number,
            "partner_domain",
            _("No partner has the domain %(domain)s.") % {"domain": line.partner_domain},
        )
        return None
    found = by_domain.get((partner_id, line.customer_domain), []) if line.customer_domain else []
    if not found and line.customer_key:
        found = by_key.get((partner_id, line.customer_key), [])
    if len(found) == 1:
        return found[0]
    if not found:
        sheet.problem(
            line.number,
            "customer_domain" if line.customer_domain else "customer_name",
            _("This partner has no approved or won registration for this customer."),
        )
    else:
        sheet.problem(
            line.number,
            "registration_id",
            _("Several registrations match (%(ids)s); give registration_id.")
            % {"ids": ", ".join(f"#{r.pk}" for r in found)},
        )
    return None


def _lines_are_new(sheet: Sheet, lines: list[_OrderLine]) -> None:
    """An order line (reference and product) is imported once, ever."""
    first_seen: dict[tuple[str, int], int] = {}
    for line in lines:
        key = (line.order_ref, line.product.pk)
        seen = first_seen.setdefault(key, line.number)
        if seen != line.number:
            sheet.problem(
                line.number,
                "order_ref",
                _("Order %(ref)s with this product is already in row %(row)d.")
                % {"ref": line.order_ref, "row": seen},
            )
    imported = set(
        RevenueLine.objects.filter(
            source=RevenueLine.Source.ORDER_IMPORT, order_ref__in={k[0] for k in first_seen}
        ).values_list("order_ref", "product_id")
    )
    for line in lines:
        if (line.order_ref, line.product.pk) in imported:
            sheet.problem(
                line.number,
                "order_ref",
                _("Order %(ref)s with product %(code)s was imported before.")
                % {"ref": line.order_ref, "code": line.product.code},
            )


def _won_amount_is_the_sum_of_lines(registration_ids: list[int]) -> None:
    """Registrations won before this import got more lines: their final amount
    and closing date follow all their lines again (one UPDATE)."""
    if not registration_ids:
        return
    lines = (
        RevenueLine.objects.filter(registration=OuterRef("pk")).order_by().values("registration")
    )
    DealRegistration.objects.filter(pk__in=registration_ids).update(
        won_amount=Subquery(lines.annotate(total=Sum("amount")).values("total")),
        closed_on=Subquery(lines.annotate(last=Max("closed_on")).values("last")),
    )


def _write_orders(
    lines: list[_OrderLine], credit_lines: list[credit_notes.CreditLine], *, by: Membership
) -> ImportOutcome:
    totals: dict[int, Decimal] = defaultdict(Decimal)
    closed: dict[int, date] = {}
    registrations: dict[int, DealRegistration] = {}
    for line in lines:
        registration = line.registration
        registrations[registration.pk] = registration
        totals[registration.pk] += line.amount
        closed[registration.pk] = max(line.closed_on, closed.get(registration.pk, line.closed_on))
    to_win = [r for r in registrations.values() if r.status == S.APPROVED]
    RevenueLine.objects.bulk_create(
        RevenueLine(
            partner_id=line.registration.partner_id,
            registration=line.registration,
            product=line.product,
            amount=line.amount,
            currency=line.currency,
            closed_on=line.closed_on,
            source=RevenueLine.Source.ORDER_IMPORT,
            order_ref=line.order_ref,
        )
        for line in lines
    )
    for registration in to_win:
        registration_transition(
            registration=registration,
            to_status=S.WON,
            actor=by.user,
            reason=_("Won order imported."),
            won_amount=totals[registration.pk],
            closed_on=closed[registration.pk],
        )
    protection_release(registration_ids=[r.pk for r in to_win])
    registrations_record(DEAL_WON, to_win)
    already_won = [pk for pk, r in registrations.items() if r.status == S.WON]
    _won_amount_is_the_sum_of_lines(already_won)
    credit_notes.write_credit_lines(credit_lines)
    audit_record(
        actor=by.user,
        action="orders.imported",
        lines=len(lines),
        credit_notes=len(credit_lines),
        registrations=sorted(registrations),
        won=[r.pk for r in to_win],
    )
    return ImportOutcome(
        created=len(lines), details={"won": len(to_win), "credited": len(credit_lines)}
    )
