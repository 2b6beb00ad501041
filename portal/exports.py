"""Streamed CSV downloads.

A streamed body is produced after the view has returned, outside the
request's tenant transaction: a query run then would find no tenant (the
managers refuse, row-level security shows nothing).  ``csv_download`` runs
the rows inside the request's tenant itself, so no export view has to
remember that trap.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence

from django.http import StreamingHttpResponse
from django.utils import timezone

from prm.tenancy import tenant_context


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_download(
    request, *, name: str, header: Sequence[str], rows: Callable[[], Iterable[Sequence]]
) -> StreamingHttpResponse:
    """Stream ``header`` then ``rows()`` as ``<name>-<tenant>-<date>.csv``.

    ``rows`` is called while the body streams, in the request's tenant (and
    as the request's user), so it may be a lazy queryset-backed generator."""
    tenant_id, user_id = request.tenant.pk, request.user.pk
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(header)
        with tenant_context(tenant_id, user_id=user_id):
            for row in rows():
                yield writer.writerow(row)

    filename = f"{name}-{request.tenant.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
