"""A payout run for accounts payable: one row per payee and one per line item,
as CSV or XLSX.  The columns are documented in docs/architecture.md (§7,
"Payout statements and payables").

Amounts, rates and dates are plain machine values (``1234.56``,
``2026-07-01``; numbers and dates in XLSX), so an import reads them whatever
the reader's language; descriptions are in the reader's language.  Text typed
by people (names, addresses, references) goes through ``safe_cell`` so a
spreadsheet never runs it as a formula.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from prm.exports import safe_cell

from . import statement_text as words

if TYPE_CHECKING:
    from .selectors.statements import RunPayables

COLUMNS: tuple[str, ...] = (
    "record",
    "run_id",
    "program",
    "period_start",
    "period_end",
    "statement_number",
    "partner_id",
    "partner_name",
    "payee_person",
    "legal_name",
    "address",
    "tax_id",
    "payment_details",
    "currency",
    "payout_status",
    "payable",
    "carried_forward",
    "paid_on",
    "payment_reference",
    "item_id",
    "item_kind",
    "source",
    "revenue_line_id",
    "registration_id",
    "mdf_claim_id",
    "order_ref",
    "customer",
    "rule",
    "rule_text",
    "rate",
    "multiplier",
    "exchange_rate",
    "source_amount",
    "source_currency",
    "amount",
)
PAYEE, ITEM = "payee", "item"
Cell = str | int | Decimal | datetime.date | None


def _text(value: str | None) -> str:
    return safe_cell(value or "")


def payable_rows(payables: RunPayables) -> Iterator[list[Cell]]:
    """Each payee's row, followed by the rows of its items."""
    run = payables.run
    for payout in payables.payouts:
        payee = payables.payees[payout.pk]
        payment = payout.payment_record
        payee_cells: dict[str, Cell] = {
            "run_id": run.pk,
            "program": _text(str(run.program)),
            "period_start": run.period_start,
            "period_end": run.period_end,
            "statement_number": payables.numbers.get(payout.pk, ""),
            "partner_id": payout.partner_id,
            "partner_name": _text(payout.partner.name),
            "payee_person": _text(payee.person),
            "legal_name": _text(payee.legal_name),
            "address": _text(payee.address),
            "tax_id": _text(payee.tax_id),
            "payment_details": _text(payee.payment_details),
            "currency": payout.currency,
        }
        yield _row(
            record=PAYEE,
            **payee_cells,
            payout_status=payout.status,
            payable=payout.payable,
            carried_forward=payout.carried,
            paid_on=payment.paid_on if payment else None,
            payment_reference=_text(payment.reference) if payment else "",
            amount=payout.total,
        )
        for item in payables.items.get(payout.pk, []):
            line = item.revenue_line if item.revenue_line_id else None
            yield _row(
                record=ITEM,
                **payee_cells,
                item_id=item.pk,
                item_kind=item.kind,
                source=_text(words.source_text(item)),
                revenue_line_id=item.revenue_line_id,
                registration_id=item.registration_id,
                mdf_claim_id=item.mdf_claim_id,
                order_ref=_text(line.order_ref) if line else "",
                customer=_text(item.registration.customer_name) if item.registration_id else "",
                rule=_text(item.rule),
                rule_text=_text(words.rule_text(item, currency=payout.currency)),
                rate=item.rate,
                multiplier=item.multiplier,
                exchange_rate=item.exchange_rate,
                source_amount=item.source_amount,
                source_currency=item.source_currency,
                amount=item.amount,
            )


def _row(**cells: Cell) -> list[Cell]:
    return [cells.get(column) for column in COLUMNS]


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def payables_csv(rows: Iterable[list[Cell]]) -> bytes:
    """UTF-8 with the byte-order mark spreadsheet programs read it by."""
    text = io.StringIO()
    text.write("\ufeff")
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return text.getvalue().encode("utf-8")


def payables_xlsx(rows: Iterable[list[Cell]], *, title: str) -> bytes:
    # openpyxl is imported here: only this download needs it.
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(
            [
                ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
                for value in row
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
