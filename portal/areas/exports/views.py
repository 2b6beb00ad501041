"""The person's list exports: what is being prepared (with progress), what is
ready to download, and the download itself."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone

from portal.access import policy_required
from prm import policies
from prm.exports import KEEP_FOR, export_kind, progress_of
from prm.models import ExportJob
from prm.selectors import export_get, exports_of

# While an export is being prepared its page reloads itself this often (seconds).
REFRESH_SECONDS = 2


def _describe(job: ExportJob) -> ExportJob:
    job.title = export_kind(job.kind).title
    job.available_until = job.created_at + KEEP_FOR
    job.progress = None
    if job.is_being_prepared:
        reported = progress_of(tenant_id=job.tenant_id, export_id=job.pk)
        if reported is not None:
            written, total = reported
            percent = 100 if not total else min(100, written * 100 // total)
            job.progress = {"written": written, "total": total, "percent": percent}
    return job


@policy_required(policies.can_export_lists)
def exports(request):
    jobs = [_describe(job) for job in exports_of(membership=request.membership)]
    waiting = any(job.is_being_prepared for job in jobs)
    context = {"jobs": jobs, "refresh": REFRESH_SECONDS if waiting else None}
    return render(request, "exports/list.html", context)


@policy_required(policies.can_export_lists)
def export_detail(request, export_id: int):
    job = _describe(export_get(membership=request.membership, export_id=export_id))
    waiting = job.is_being_prepared
    context = {"job": job, "refresh": REFRESH_SECONDS if waiting else None}
    return render(request, "exports/detail.html", context)


@policy_required(policies.can_export_lists)
def export_download(request, export_id: int):
    job = export_get(membership=request.membership, export_id=export_id)
    if not job.is_ready:
        raise Http404
    day = timezone.localtime(job.created_at).date()
    name = f"{export_kind(job.kind).filename}-{request.tenant.slug}-{day:%Y-%m-%d}.csv"
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type="text/csv; charset=utf-8",
    )
