"""The web side of every CSV import: the upload page, the template download and
the problem report.

A failed import's problems are kept for an hour in the cache under a random
token, readable only by the same person in the same tenant, so the report
can be downloaded as CSV after the page showed them.
"""

from __future__ import annotations

import csv
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prm.csv_import import ImportOutcome, template_csv

from .access import policy_required

REPORT_SECONDS = 3600


class CsvUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"), allow_empty_file=True)


@dataclass(frozen=True)
class CsvImportPage:
    """One import as the console offers it."""

    key: str  # names the problem report's cache entry
    columns: tuple[str, ...]
    max_rows: int
    run: Callable[..., ImportOutcome]  # run(file=..., by=membership)
    success: Callable[[ImportOutcome], str]
    done: str  # URL name to go to once imported
    page_template: str
    template_url: str  # URL name of the template download
    report_url: str  # URL name of the problem report
    template_filename: str
    report_filename: str


@dataclass(frozen=True)
class ImportViews:
    """The three pages of one import."""

    upload: Callable
    template: Callable
    report: Callable


def import_views(page: CsvImportPage) -> ImportViews:
    """The upload page, template download and problem report of ``page``, each
    behind the policy of the import's service (so the page and the service can
    never disagree about who may import)."""
    guard = policy_required(page.run.action_rule.policy)

    @guard
    def upload(request):
        return import_page(request, page, by=request.membership)

    @guard
    def template(request):
        return template_download(page)

    @guard
    def report(request):
        return problem_report(request, page)

    return ImportViews(upload=upload, template=template, report=report)


def _report_key(request, page: CsvImportPage, token: str) -> str:
    return f"imports:report:{page.key}:{request.tenant.pk}:{request.user.pk}:{token}"


def import_page(request, page: CsvImportPage, *, by):
    """The upload form; on POST the import runs for ``by`` and either succeeds
    (message, then the done page) or shows every problem (400)."""
    posted = request.method == "POST"
    form = CsvUploadForm(request.POST if posted else None, request.FILES if posted else None)
    context = {
        "form": form,
        "columns": page.columns,
        "max_rows": page.max_rows,
        "template_url": reverse(page.template_url, kwargs={"tenant_slug": request.tenant.slug}),
        "report_url": reverse(page.report_url, kwargs={"tenant_slug": request.tenant.slug}),
    }
    if posted and form.is_valid():
        outcome = page.run(file=form.cleaned_data["file"], by=by)
        if outcome.ok:
            messages.success(request, page.success(outcome))
            return redirect(page.done, tenant_slug=request.tenant.slug)
        token = secrets.token_urlsafe(16)
        cache.set(
            _report_key(request, page, token),
            [(p.row, p.column, p.message) for p in outcome.problems],
            REPORT_SECONDS,
        )
        context.update(problems=outcome.problems, report=token)
        return render(request, page.page_template, context, status=400)
    return render(request, page.page_template, context, status=400 if form.errors else 200)


def template_download(page: CsvImportPage) -> HttpResponse:
    response = HttpResponse(template_csv(page.columns), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{page.template_filename}"'
    return response


def problem_report(request, page: CsvImportPage) -> HttpResponse:
    """The problems of the person's last failed import of this kind, as CSV."""
    problems = cache.get(_report_key(request, page, request.GET.get("report", "")))
    if problems is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{page.report_filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("row"), _("column"), _("problem")])
    for row, column, message in problems:
        writer.writerow([row or "", column, message])
    return response
