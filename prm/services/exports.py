"""List exports: asking for one, writing it (the worker), and deleting old ones."""

from __future__ import annotations

import csv
import io
import logging
import secrets
import tempfile

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..actions import action, system_action
from ..enqueue import enqueue_after_commit
from ..exports import (
    KEEP_FOR,
    PROGRESS_EVERY,
    export_kind,
    filters_from_json,
    filters_to_json,
    progress_report,
)
from ..jobs import TRANSIENT_ERRORS
from ..models import ExportJob, Membership
from ..policies import can_export_lists

logger = logging.getLogger(__name__)
Status = ExportJob.Status


@action(can_export_lists)
def export_request(*, by: Membership, kind: str, filters) -> tuple[ExportJob, bool]:
    """Ask for an export of list ``kind`` narrowed by ``filters`` (the list's
    filters object).  Returns the export and whether it is new: asking again
    while the same export is being prepared gives the one already queued."""
    export = export_kind(kind)
    export.policy.require(by)
    if not isinstance(filters, export.filters):
        raise TypeError(f"{kind} exports take {export.filters.__name__}.")
    data = filters_to_json(filters)
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(kind=kind, filters=data, requested_by=by)
            enqueue_after_commit("prm.export_run", job.pk)
    except IntegrityError:
        queued = ExportJob.objects.filter(
            kind=kind, filters=data, requested_by=by, status=Status.QUEUED
        ).first()
        if queued is None:  # it finished in between: ask again
            raise ValidationError(_("Please try again.")) from None
        return queued, False
    return job, True


@system_action
def export_write(*, export_id: int) -> ExportJob | None:
    """Write a queued export's rows to its file (the worker's part).  An export
    already written (a message delivered twice) is left alone; one that cannot
    be written is marked failed with the reason shown to its owner."""
    job = (
        ExportJob.objects.select_for_update(of=("self",))
        .select_related("requested_by")
        .filter(pk=export_id, status=Status.QUEUED)
        .first()
    )
    if job is None:
        return None
    export = export_kind(job.kind)
    person = job.requested_by
    if not (can_export_lists(person) and export.policy(person)):
        return _fail(job, _("You may no longer export this list."))
    try:
        with transaction.atomic():
            _write(job, export)
    except TRANSIENT_ERRORS:
        raise  # retried by the task
    except Exception:
        logger.exception("export %s failed", job.pk)
        return _fail(job, _("The export could not be written. Please ask for it again."))
    return job


def _write(job: ExportJob, export) -> None:
    rows = export.select(job.requested_by, filters_from_json(export.filters, job.filters))
    total = rows.count()
    report = {"tenant_id": job.tenant_id, "export_id": job.pk, "total": total}
    progress_report(written=0, **report)
    written = 0
    with tempfile.TemporaryFile() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(text)
        text.write("\ufeff")  # spreadsheet programs read UTF-8 by this mark
        writer.writerow(export.header)
        for row in export.rows(rows):
            writer.writerow(row)
            written += 1
            if written % PROGRESS_EVERY == 0:
                progress_report(written=written, **report)
        text.flush()
        job.size_bytes = raw.tell()
        raw.seek(0)
        name = f"{job.tenant_id}-{job.pk}-{secrets.token_hex(8)}.csv"
        job.file.save(name, File(raw, name=name), save=False)
        text.detach()
    job.rows_written = written
    job.status = Status.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["rows_written", "status", "finished_at", "file", "size_bytes"])


def _fail(job: ExportJob, reason: str) -> ExportJob:
    job.status = Status.FAILED
    job.error = str(reason)[:300]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    return job


@system_action
def exports_purge() -> int:
    """Delete exports asked for longer ago than ``KEEP_FOR``, files included."""
    old = list(ExportJob.objects.filter(created_at__lt=timezone.now() - KEEP_FOR))
    for job in old:
        if job.file:
            job.file.delete(save=False)
    ExportJob.objects.filter(pk__in=[job.pk for job in old]).delete()
    return len(old)
