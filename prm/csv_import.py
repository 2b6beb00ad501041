"""The one pipeline of every CSV import.

An import is checked as a whole before anything is written: the upload must be
a readable UTF-8 CSV file within the size and row limits with the import's
columns (``read_sheet``); then the import checks every row, collecting every
problem with its row and column (the header is row 1); only a file without
problems is written, in one transaction.  So a rejected import changes
nothing, and the person gets the full list of what to fix at once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

T = TypeVar("T")


class CsvRefused(Exception):
    """The file as a whole cannot be imported; the message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ImportProblem:
    """One reason the file was refused. ``row`` counts the header as row 1 and is
    None for problems with the file as a whole."""

    row: int | None
    column: str
    message: str


@dataclass
class ImportOutcome:
    """What an import wrote, or why it wrote nothing."""

    created: int = 0
    updated: int = 0
    details: dict[str, int] = field(default_factory=dict)
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def refused(message: str) -> ImportOutcome:
    return ImportOutcome(problems=[ImportProblem(None, "", message)])


@dataclass(frozen=True)
class CsvFormat:
    """The columns an import reads and its limits."""

    columns: tuple[str, ...]
    required: tuple[str, ...]
    # Said when the file has a header but no rows, e.g. "… but no partners."
    no_rows_message: str
    max_bytes: int = MAX_BYTES
    max_rows: int = MAX_ROWS


@dataclass
class Sheet:
    """The rows of a file as ``(row number, {column: stripped value})`` with every
    column of the format present, and the problems found so far."""

    format: CsvFormat
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    def problem(self, row: int | None, column: str, message: str) -> None:
        self.problems.append(ImportProblem(row, column, message))

    def sorted_problems(self) -> list[ImportProblem]:
        order = {name: index for index, name in enumerate(self.format.columns)}
        return sorted(self.problems, key=lambda p: (p.row or 0, order.get(p.column, -1)))

    def require(self, row: int, cells: dict[str, str], columns: Sequence[str]) -> bool:
        """Every one of ``columns`` has a value; a problem for each that has none."""
        missing = [name for name in columns if not cells[name]]
        for name in missing:
            self.problem(row, name, _("This value is required."))
        return not missing

    def too_long(self, row: int, column: str, value: str, limit: int) -> bool:
        if len(value) > limit:
            self.problem(row, column, _("Keep this under %(n)d characters.") % {"n": limit + 1})
            return True
        return False

    def clean(self, row: int, column: str, value: str, convert: Callable[[str], T]) -> T | None:
        """``convert(value)``, or None with its ValidationError as the cell's problem."""
        try:
            return convert(value)
        except ValidationError as error:
            self.problem(row, column, " ".join(error.messages))
            return None


def read_text(file: IO[bytes], *, max_bytes: int = MAX_BYTES) -> str:
    """The upload as text; CsvRefused when it is too large, not UTF-8, empty or binary."""
    size = getattr(file, "size", None)
    data = file.read(max_bytes + 1)
    if (size is not None and size > max_bytes) or len(data) > max_bytes:
        raise CsvRefused(
            _("The file is larger than %(mb)s MB. Split it into smaller files.")
            % {"mb": max_bytes // (1024 * 1024)}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvRefused(
            _(
                "The file is not UTF-8 text (unreadable byte at position %(pos)d). "
                "Save it as “CSV UTF-8” and upload it again."
            )
            % {"pos": error.start}
        ) from error
    if not text.strip():
        raise CsvRefused(_("The file is empty."))
    if "\x00" in text:
        raise CsvRefused(_("The file contains binary data; upload a CSV text file."))
    return text


def _check_header(header: list[str], fmt: CsvFormat) -> None:
    if len(header) == 1 and ";" in header[0]:
        raise CsvRefused(_("Separate the columns with commas, not semicolons; use the template."))
    unknown = [name for name in header if name and name not in fmt.columns]
    if unknown:
        raise CsvRefused(
            ngettext(
                "Unknown column: %(names)s. Use the template's columns: %(columns)s.",
                "Unknown columns: %(names)s. Use the template's columns: %(columns)s.",
                len(unknown),
            )
            % {"names": ", ".join(unknown), "columns": ", ".join(fmt.columns)}
        )
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise CsvRefused(
            ngettext(
                "A column appears twice: %(names)s.",
                "Columns appear twice: %(names)s.",
                len(repeated),
            )
            % {"names": ", ".join(repeated)}
        )
    missing = [name for name in fmt.required if name not in header]
    if missing:
        raise CsvRefused(
            ngettext(
                "A required column is missing: %(names)s.",
                "Required columns are missing: %(names)s.",
                len(missing),
            )
            % {"names": ", ".join(missing)}
        )


def read_sheet(file: IO[bytes], fmt: CsvFormat) -> Sheet:
    """Parse the upload into a sheet; CsvRefused when it cannot be read as a whole.

    Blank lines are skipped; a row with more values than the header has
    columns, or a value under a column without a name, is a problem of that row.
    """
    # strict: an unbalanced quote is an error, not a field that swallows the file
    reader = csv.reader(
        io.StringIO(read_text(file, max_bytes=fmt.max_bytes), newline=""), strict=True
    )
    sheet = Sheet(format=fmt)
    try:
        header = [name.strip().lower() for name in next(reader)]
        _check_header(header, fmt)
        for number, values in enumerate(reader, start=2):
            if not any(value.strip() for value in values):
                continue
            if len(sheet.rows) == fmt.max_rows:
                raise CsvRefused(
                    _("The file has more than %(max)d rows. Split it into smaller files.")
                    % {"max": fmt.max_rows}
                )
            _add_row(sheet, header, number, values)
    except csv.Error as error:
        raise CsvRefused(_("The file is not valid CSV: %(error)s") % {"error": error}) from error
    if not sheet.rows and not sheet.problems:
        raise CsvRefused(str(fmt.no_rows_message))
    return sheet


def _add_row(sheet: Sheet, header: list[str], number: int, values: list[str]) -> None:
    if len(values) > len(header):
        sheet.problem(
            number,
            "",
            _("This row has %(n)d values but the header only %(m)d columns.")
            % {"n": len(values), "m": len(header)},
        )
        return
    cells = dict.fromkeys(sheet.format.columns, "")
    for name, value in zip(header, values, strict=False):
        if name:
            cells[name] = value.strip()
        elif value.strip():
            sheet.problem(number, "", _("A value stands in a column without a header."))
    sheet.rows.append((number, cells))


def run_import(
    file: IO[bytes],
    fmt: CsvFormat,
    *,
    check: Callable[[Sheet], T],
    write: Callable[[T], ImportOutcome],
    conflict: str,
) -> ImportOutcome:
    """Read, check, then write all or nothing.

    ``check`` reads the sheet's rows and records problems on it, returning what
    ``write`` needs; ``write`` runs in one transaction only when there are no
    problems.  A concurrent change that makes the database refuse the write
    (``IntegrityError``), or a business rule refusing it (``ValidationError``),
    rolls everything back and is reported as a problem of the whole file;
    ``conflict`` is the message for the former.
    """
    try:
        sheet = read_sheet(file, fmt)
    except CsvRefused as error:
        return refused(error.message)
    checked = check(sheet)
    if sheet.problems:
        return ImportOutcome(problems=sheet.sorted_problems())
    try:
        with transaction.atomic():
            return write(checked)
    except IntegrityError:
        return refused(conflict)
    except ValidationError as error:
        return refused(" ".join(error.messages))


def template_csv(columns: Sequence[str]) -> str:
    """The header row people fill in (with the byte-order mark spreadsheets need)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer).writerow(columns)
    return buffer.getvalue()
