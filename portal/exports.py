"""Starting a list export from a list page.

The list's export button posts the page's filters; the export is written by a
worker (``prm.export_run``) and the person follows it on its own page, which
offers the file when it is ready (``portal.areas.exports``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from prm.services.exports import export_request


def export_start(request, *, kind: str, filters):
    """Ask for the ``kind`` export of ``filters`` and show its page."""
    try:
        job, created = export_request(by=request.membership, kind=kind, filters=filters)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("console:exports", tenant_slug=request.tenant.slug)
    if not created:
        messages.info(request, _("This export is already being prepared."))
    return redirect("console:export_detail", tenant_slug=request.tenant.slug, export_id=job.pk)
