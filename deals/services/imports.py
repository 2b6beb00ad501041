"""CSV imports of deal operations: the vendor's direct accounts and won orders.

Like the partner import (``partners.services.imports``), the whole file is
checked first with a fixed number of queries, then written in one transaction,
or nothing is written and every problem is reported with its row and column
(the header is row 1).
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import PartnerDomain
from partners.services.imports import ImportProblem
from partners.services.organisations import normalise_domain
from prm.audit import audit_record
from prm.csv_upload import UnreadableCsv, read_csv_text
from prm.models import User

from ..models import DealRegistration, DirectAccount, Product, RevenueLine
from ..models import RegistrationStatus as S
from ..normalise import customer_key
from .core import protection_release, registration_transition

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

ACCOUNT_COLUMNS = ("name", "domain", "owner")
ACCOUNT_REQUIRED = ("name",)
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
)
ORDER_REQUIRED = ("order_ref", "product_code", "amount", "currency", "closed_on")
MATCHABLE = (S.APPROVED, S.WON)

_CURRENCY = re.compile(r"^[A-Za-z]{3}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_AMOUNT = re.compile(r"^\d+(\.\d+)?$")
_INTEGER = re.compile(r"^\d{1,18}$")
MAX_AMOUNT_DIGITS = 16  # DecimalField(max_digits=18, decimal_places=2)


@dataclass
class ImportOutcome:
    """What an import did, or why it did nothing."""

    created: int = 0
    updated: int = 0
    won: int = 0
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Refused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _refused(message: str) -> ImportOutcome:
    return ImportOutcome(problems=[ImportProblem(None, "", message)])


def template_csv(columns) -> str:
    """A header row to fill in (with the byte-order mark spreadsheets need)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer).writerow(columns)
    return buffer.getvalue()


# --- reading ----------------------------------------------------------------------


@dataclass
class _Sheet:
    """The rows of a file as {column: stripped value}, and the problems found so far."""

    columns: tuple[str, ...]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    def problem(self, row: int | None, column: str, message: str) -> None:
        self.problems.append(ImportProblem(row, column, message))

    def sorted_problems(self) -> list[ImportProblem]:
        order = {name: index for index, name in enumerate(self.columns)}
        return sorted(self.problems, key=lambda p: (p.row or 0, order.get(p.column, -1)))


def _decode(file: IO[bytes]) -> str:
    try:
        text = read_csv_text(file, max_bytes=MAX_BYTES)
    except UnreadableCsv as error:
        raise _Refused(str(error)) from error
    return text


def _check_header(header: list[str], columns, required) -> None:
    if len(header) == 1 and ";" in header[0]:
        raise _Refused(_("Separate the columns with commas, not semicolons; use the template."))
    unknown = [name for name in header if name and name not in columns]
    if unknown:
        raise _Refused(
            _("Unknown column(s): %(names)s. Use the template's columns: %(columns)s.")
            % {"names": ", ".join(unknown), "columns": ", ".join(columns)}
        )
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise _Refused(_("Column(s) appear twice: %(names)s.") % {"names": ", ".join(repeated)})
    missing = [name for name in required if name not in header]
    if missing:
        raise _Refused(_("Required column(s) missing: %(names)s.") % {"names": ", ".join(missing)})


def _read(file: IO[bytes], columns, required) -> _Sheet:
    """Parse the file into a sheet; _Refused when it cannot be read as a whole."""
    # strict: an unbalanced quote is an error, not a field that swallows the file
    reader = csv.reader(io.StringIO(_decode(file), newline=""), strict=True)
    sheet = _Sheet(columns=tuple(columns))
    try:
        header = [name.strip().lower() for name in next(reader)]
        _check_header(header, columns, required)
        for number, values in enumerate(reader, start=2):
            if not any(value.strip() for value in values):
                continue
            if len(sheet.rows) == MAX_ROWS:
                raise _Refused(
                    _("The file has more than %(max)d rows. Split it into smaller files.")
                    % {"max": MAX_ROWS}
                )
            if len(values) > len(header):
                sheet.problem(
                    number,
                    "",
                    _("This row has %(n)d values but the header only %(m)d columns.")
                    % {"n": len(values), "m": len(header)},
                )
                continue
            cells = dict.fromkeys(columns, "")
            for name, value in zip(header, values, strict=False):
                if name:
                    cells[name] = value.strip()
            sheet.rows.append((number, cells))
    except csv.Error as error:
        raise _Refused(_("The file is not valid CSV: %(error)s") % {"error": error}) from error
    if not sheet.rows and not sheet.problems:
        raise _Refused(_("The file has a header but no rows."))
    return sheet


def _required(sheet: _Sheet, number: int, cells: dict[str, str], required) -> bool:
    missing = [name for name in required if not cells[name]]
    for name in missing:
        sheet.problem(number, name, _("This value is required."))
    return not missing


def _too_long(sheet: _Sheet, number: int, column: str, value: str, limit: int) -> bool:
    if len(value) > limit:
        sheet.problem(number, column, _("Keep this under %(n)d characters.") % {"n": limit + 1})
        return True
    return False


def _domain(sheet: _Sheet, number: int, column: str, value: str) -> str | None:
    """The normalised domain, "" for none, or None (with a problem) when invalid."""
    if not value:
        return ""
    try:
        return normalise_domain(value)
    except ValidationError as error:
        sheet.problem(number, column, " ".join(error.messages))
        return None


# --- direct accounts --------------------------------------------------------------


@dataclass
class _Account:
    number: int
    name: str
    name_key: str
    domain: str
    owner: str

    @property
    def identity(self) -> tuple[str, str]:
        return ("domain", self.domain) if self.domain else ("name", self.name_key)


def direct_accounts_import_csv(*, file: IO[bytes], by: User | None) -> ImportOutcome:
    """Add the vendor's direct accounts from a CSV file (name, domain, owner).

    An account already on the list — the same domain, or without a domain the
    same normalised name — is updated rather than listed twice, so a fresh export
    from the CRM can be uploaded again.  Invariant: all rows are written, or none."""
    try:
        sheet = _read(file, ACCOUNT_COLUMNS, ACCOUNT_REQUIRED)
    except _Refused as refused:
        return _refused(refused.message)
    accounts = [a for a in (_check_account(sheet, n, cells) for n, cells in sheet.rows) if a]
    _unique_in_file(sheet, accounts)
    if sheet.problems:
        return ImportOutcome(problems=sheet.sorted_problems())
    existing = _existing_accounts(accounts)
    new = [a for a in accounts if a.identity not in existing]
    changed = []
    for account in accounts:
        current = existing.get(account.identity)
        if current is not None:
            current.name, current.name_key, current.owner = (
                account.name,
                account.name_key,
                account.owner,
            )
            current.updated_at = timezone.now()
            changed.append(current)
    with transaction.atomic():
        DirectAccount.objects.bulk_create(
            DirectAccount(name=a.name, name_key=a.name_key, domain=a.domain, owner=a.owner)
            for a in new
        )
        DirectAccount.objects.bulk_update(changed, ["name", "name_key", "owner", "updated_at"])
        audit_record(
            actor=by, action="direct_accounts.imported", created=len(new), updated=len(changed)
        )
    return ImportOutcome(created=len(new), updated=len(changed))


def _check_account(sheet: _Sheet, number: int, cells: dict[str, str]) -> _Account | None:
    before = len(sheet.problems)
    name, owner = cells["name"], cells["owner"]
    if _required(sheet, number, cells, ACCOUNT_REQUIRED):
        if not _too_long(sheet, number, "name", name, 200) and not customer_key(name):
            sheet.problem(number, "name", _("The name needs at least one letter or digit."))
    _too_long(sheet, number, "owner", owner, 200)
    domain = _domain(sheet, number, "domain", cells["domain"])
    if len(sheet.problems) > before:
        return None
    return _Account(number, name, customer_key(name), domain, owner)


def _unique_in_file(sheet: _Sheet, accounts: list[_Account]) -> None:
    first_seen: dict[tuple[str, str], int] = {}
    for account in accounts:
        seen = first_seen.setdefault(account.identity, account.number)
        if seen != account.number:
            column = account.identity[0]
            sheet.problem(
                account.number,
                column,
                _("The same account is already in row %(row)d of this file.") % {"row": seen},
            )


def _existing_accounts(accounts: list[_Account]) -> dict[tuple[str, str], DirectAccount]:
    domains = [a.domain for a in accounts if a.domain]
    keys = [a.name_key for a in accounts if not a.domain]
    found = DirectAccount.objects.filter(
        Q(domain__in=domains) | Q(domain="", name_key__in=keys)
    ).order_by("-pk")
    return {
        (("domain", account.domain) if account.domain else ("name", account.name_key)): account
        for account in found
    }


# --- won orders ---------------------------------------------------------------------


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


def orders_import_csv(*, file: IO[bytes], by: User | None) -> ImportOutcome:
    """Record won orders from a CSV file and match each line to a registration.

    A line names its registration by ``registration_id``, or by
    ``partner_domain`` with ``customer_domain`` (or, failing that,
    ``customer_name``) among that partner's approved and won registrations;
    no match or more than one is a problem of that row.  Each line becomes a
    RevenueLine (source: imported order) counted once per order reference and
    product — a line imported before is refused.  Approved registrations move to
    won with the sum of their lines and the latest closing date, and release
    their protection.  Invariant: the whole file is written, or nothing."""
    try:
        sheet = _read(file, ORDER_COLUMNS, ORDER_REQUIRED)
    except _Refused as refused:
        return _refused(refused.message)
    products = _active_products(sheet)
    lines = [
        line
        for line in (_check_order(sheet, n, cells, products) for n, cells in sheet.rows)
        if line
    ]
    _match_registrations(sheet, lines)
    _lines_are_new(sheet, lines)
    if sheet.problems:
        return ImportOutcome(problems=sheet.sorted_problems())
    try:
        return _write_orders(lines, by=by)
    except IntegrityError:
        return _refused(
            _("Another import of these order lines got in the way; nothing was imported.")
        )
    except ValidationError as error:
        return _refused(" ".join(error.messages))


def _active_products(sheet: _Sheet) -> dict[str, Product]:
    codes = {cells["product_code"].lower() for _n, cells in sheet.rows if cells["product_code"]}
    found = (
        Product.objects.filter(is_active=True)
        .annotate(code_lower=Lower("code"))
        .filter(code_lower__in=codes)
    )
    return {product.code.lower(): product for product in found}


def _check_order(sheet, number, cells, products) -> _OrderLine | None:
    before = len(sheet.problems)
    _required(sheet, number, cells, ORDER_REQUIRED)
    _too_long(sheet, number, "order_ref", cells["order_ref"], 100)
    registration_id = None
    if cells["registration_id"]:
        if _INTEGER.match(cells["registration_id"]):
            registration_id = int(cells["registration_id"])
        else:
            sheet.problem(number, "registration_id", _("Give the registration's number."))
    partner_domain = _domain(sheet, number, "partner_domain", cells["partner_domain"])
    customer_domain = _domain(sheet, number, "customer_domain", cells["customer_domain"])
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


def _amount(sheet: _Sheet, number: int, value: str) -> Decimal | None:
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


def _closing_date(sheet: _Sheet, number: int, value: str) -> date | None:
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
    return day


def _match_registrations(sheet: _Sheet, lines: list[_OrderLine]) -> None:
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


def _lines_are_new(sheet: _Sheet, lines: list[_OrderLine]) -> None:
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


def _write_orders(lines: list[_OrderLine], *, by: User | None) -> ImportOutcome:
    totals: dict[int, Decimal] = defaultdict(Decimal)
    closed: dict[int, date] = {}
    registrations: dict[int, DealRegistration] = {}
    for line in lines:
        registration = line.registration
        registrations[registration.pk] = registration
        totals[registration.pk] += line.amount
        closed[registration.pk] = max(line.closed_on, closed.get(registration.pk, line.closed_on))
    to_win = [r for r in registrations.values() if r.status == S.APPROVED]
    with transaction.atomic():
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
                by=by,
                reason=_("Won order imported."),
                won_amount=totals[registration.pk],
                closed_on=closed[registration.pk],
            )
        protection_release(registration_ids=[r.pk for r in to_win])
        audit_record(
            actor=by,
            action="orders.imported",
            lines=len(lines),
            registrations=sorted(registrations),
            won=[r.pk for r in to_win],
        )
    return ImportOutcome(created=len(lines), won=len(to_win))
