"""List exports: the kinds apps offer, their filters as JSON, and progress.

An export is asked for on a page and written by a worker (``prm.export_run``)
to a file the person downloads when it is ready, so no web worker is held
while a big list is read.  Apps register what can be exported at start-up
(``export_register`` from their ``exports.py``); the core knows the kinds by
name only, never the apps behind them.

A kind's filters are the same frozen dataclass its list page hands to its
selector; it travels to the worker as JSON (dates as ISO strings).

Progress is kept in the cache, not in the export's row: the worker writes the
file inside one transaction, which nobody else sees until it commits.
"""

from __future__ import annotations

import dataclasses
import datetime
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db.models import QuerySet

from .policies import Policy

# Finished exports (and their files) are deleted after this long.
KEEP_FOR = timedelta(days=7)
# Progress is reported every this many rows.
PROGRESS_EVERY = 5000


@dataclass(frozen=True)
class ExportKind:
    """What can be exported: ``select(membership, filters)`` gives the rows the
    person may see (a queryset, counted for progress), ``rows(queryset)`` turns
    them into CSV rows under ``header``."""

    name: str
    title: str
    filename: str
    policy: Policy
    filters: type
    header: Sequence[str]
    select: Callable[..., QuerySet]
    rows: Callable[[QuerySet], Iterable[Sequence[str]]]


_KINDS: dict[str, ExportKind] = {}


def export_register(kind: ExportKind) -> None:
    _KINDS[kind.name] = kind


def export_kind(name: str) -> ExportKind:
    """The registered kind; a KeyError for an unknown name."""
    return _KINDS[name]


def safe_cell(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def filters_to_json(filters) -> dict:
    return {
        name: value.isoformat() if isinstance(value, datetime.date) else value
        for name, value in dataclasses.asdict(filters).items()
    }


def filters_from_json(cls: type, data: dict):
    """Rebuild ``cls`` from ``filters_to_json`` output; unknown keys are dropped."""
    hints = typing.get_type_hints(cls)
    values = {}
    for field in dataclasses.fields(cls):
        if field.name not in data:
            continue
        value = data[field.name]
        if isinstance(value, str) and _is_date(hints[field.name]):
            value = datetime.date.fromisoformat(value)
        values[field.name] = value
    return cls(**values)


def _is_date(hint) -> bool:
    return hint is datetime.date or datetime.date in typing.get_args(hint)


def _progress_key(tenant_id: int, export_id: int) -> str:
    return f"export-progress:{tenant_id}:{export_id}"


def progress_report(*, tenant_id: int, export_id: int, written: int, total: int) -> None:
    cache.set(_progress_key(tenant_id, export_id), (written, total), timeout=3600)


def progress_of(*, tenant_id: int, export_id: int) -> tuple[int, int] | None:
    """(rows written, rows in all) while a worker writes the export, else None."""
    return cache.get(_progress_key(tenant_id, export_id))
