"""Exporting a list the way a person does: post the list page's export button,
let the worker's part run, download the file from the export's page."""

import csv
import io
from urllib.parse import urlencode

from django.urls import resolve, reverse

from prm.services.exports import export_write
from prm.tenancy import tenant_context


def export_id_of(response) -> int:
    assert response.status_code == 302, response.status_code
    return int(resolve(response["Location"]).kwargs["export_id"])


def write(tenant, export_id: int):
    """Run the worker's part of the export in ``tenant``."""
    with tenant_context(tenant.pk):
        return export_write(export_id=export_id)


def download(client, tenant, export_id: int) -> str:
    url = reverse(
        "console:export_download", kwargs={"tenant_slug": tenant.slug, "export_id": export_id}
    )
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return text.lstrip("\ufeff")


def export_rows(client, tenant, url_name: str, **params) -> list[dict]:
    """Post the export of ``url_name`` with the list's ``params``; the rows of the file."""
    url = reverse(url_name, kwargs={"tenant_slug": tenant.slug})
    export_id = export_id_of(client.post(f"{url}?{urlencode(params)}"))
    write(tenant, export_id)
    return list(csv.DictReader(io.StringIO(download(client, tenant, export_id))))
