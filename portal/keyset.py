"""Keyset ("cursor") pagination: every page costs the same, however deep.

An offset page must read and skip every row before it; a keyset page starts
right after (or before) the last row seen, found through the index that
serves the list's order.  A list is ordered by a few columns ending in the
primary key, all in one direction; the cursor carries the boundary row's
values.  Links say "after" or "before" a row, never "page 4,000", and the
count shown is exact up to ``COUNT_CAP`` and "more than" beyond.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

COUNT_CAP = 10_000


@dataclass(frozen=True)
class Page:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None
    count: int
    count_capped: bool

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def _encode(values: list) -> str:
    raw = json.dumps(values, default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, fields: list) -> list | None:
    """The cursor's values as Python values of ``fields``; None for anything
    that is not a cursor of this list (a hand-edited link starts at the top)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(fields):
            return None
        return [field.to_python(value) for field, value in zip(fields, values, strict=True)]
    except (ValueError, TypeError, ValidationError):
        return None


def _boundary(queryset: QuerySet, columns: list[str], values: list, operator: str) -> QuerySet:
    table = queryset.model._meta.db_table
    left = ", ".join(f'"{table}"."{column}"' for column in columns)
    right = ", ".join(["%s"] * len(values))
    condition = RawSQL(f"({left}) {operator} ({right})", values, output_field=BooleanField())
    return queryset.filter(condition)


def keyset_page(
    queryset: QuerySet,
    *,
    order: tuple[str, ...],
    descending: bool,
    after: str | None = None,
    before: str | None = None,
    size: int = 25,
) -> Page:
    """One page of ``queryset`` in ``order`` (field names of its model, the
    last one unique, e.g. ``("created_at", "id")``), after or before a cursor."""
    meta = queryset.model._meta
    fields = [meta.get_field(name) for name in order]
    columns = [field.column for field in fields]
    forward = [f"-{name}" if descending else name for name in order]
    backward = [name if descending else f"-{name}" for name in order]
    going_back = bool(before) and not after
    cursor = _decode(before if going_back else after, fields) if (after or before) else None
    if cursor is None:  # the first page
        rows = list(queryset.order_by(*forward)[: size + 1])
        has_next, has_previous = len(rows) > size, False
        rows = rows[:size]
    elif not going_back:
        beyond = _boundary(queryset, columns, cursor, "<" if descending else ">")
        rows = list(beyond.order_by(*forward)[: size + 1])
        has_next, has_previous = len(rows) > size, True
        rows = rows[:size]
    else:
        beyond = _boundary(queryset, columns, cursor, ">" if descending else "<")
        rows = list(beyond.order_by(*backward)[: size + 1])
        has_next, has_previous = True, len(rows) > size
        rows = list(reversed(rows[:size]))
    counted = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()

    def values_of(row) -> list:
        return [field.value_from_object(row) for field in fields]

    return Page(
        rows=rows,
        next_cursor=_encode(values_of(rows[-1])) if rows and has_next else None,
        previous_cursor=_encode(values_of(rows[0])) if rows and has_previous else None,
        count=min(counted, COUNT_CAP),
        count_capped=counted > COUNT_CAP,
    )


def page_from_request(request, queryset: QuerySet, **options) -> Page:
    return keyset_page(
        queryset,
        after=request.GET.get("after") or None,
        before=request.GET.get("before") or None,
        **options,
    )
