"""Payout statements and payout profiles.

Console: a run's statements page (progress while workers render them, the
button that issues them), each statement's PDF, the run's statements as one
ZIP streamed while it is written, the run's accounts-payable export as CSV or
XLSX, and a partner's payout profile.  Portal: the person's own statements
(a partner admin's organisation's, a rep's own SPIF statements) and the
organisation's payout profile.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from incentives.models import StatementStatus
from incentives.payables import payable_rows, payables_csv, payables_xlsx
from incentives.selectors.runs import run_get
from incentives.selectors.statements import (
    default_statement_language,
    my_statements,
    payout_profile_of,
    run_payables,
    run_payees,
    run_statement_files,
    statement_get,
    statement_progress,
)
from incentives.services.payout_profiles import payout_profile_save, payout_profile_save_own
from incentives.services.statements import statements_issue
from incentives.states import run_is_frozen, statement_is_ready
from partners.selectors.organisations import partner_get
from partners.selectors.people import partner_id_of
from portal.access import policy_required
from portal.calls import call_with_form
from prm import policies

from .forms import IssueForm, PayoutProfileForm
from .zipstream import Entry, zip_stream

PAGE_SIZE = 50
# While statements are being rendered the run's page reloads itself this often (seconds).
REFRESH_SECONDS = 3


def _archive_name(statement) -> str:
    payee = statement.partner.name
    if statement.person_id:
        payee = f"{payee} {statement.person.user}"
    return f"{statement.number}-{slugify(payee, allow_unicode=True)}.pdf"


def _pdf_response(statement) -> FileResponse:
    if not statement_is_ready(statement):
        raise Http404
    return FileResponse(
        statement.file.open("rb"),
        as_attachment=True,
        filename=f"statement-{statement.number}.pdf",
        content_type="application/pdf",
    )


def _frozen_run(request, run_id: int):
    """A run of which statements and payables exist: approved or paid."""
    run = run_get(membership=request.membership, run_id=run_id)
    if not run_is_frozen(run):
        raise Http404
    return run


# --- console: a run's statements -------------------------------------------------------


@policy_required(policies.can_view_payouts)
def run_statements(request, run_id: int):
    run = run_get(membership=request.membership, run_id=run_id)
    progress = statement_progress(run=run)
    page = Paginator(run_payees(run=run), PAGE_SIZE).get_page(request.GET.get("page"))
    payees = list(page.object_list)
    for payee in payees:
        status = payee.statement_status
        payee.statement_label = StatementStatus(status).label if status else ""
    can_issue = (
        policies.can_issue_statements(request.membership)
        and run_is_frozen(run)
        and bool(progress.unissued or progress.failed)
    )
    context = {
        "run": run,
        "frozen": run_is_frozen(run),
        "progress": progress,
        "page": page,
        "payees": payees,
        "issue_form": IssueForm(initial={"language": default_statement_language(request.tenant)})
        if can_issue
        else None,
        "refresh": REFRESH_SECONDS if progress.working else None,
    }
    return render(request, "statements/run.html", context)


@require_POST
@policy_required(policies.can_issue_statements)
def run_statements_issue(request, run_id: int):
    run = run_get(membership=request.membership, run_id=run_id)
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the language of the statements."))
    else:
        try:
            issued = statements_issue(
                run=run, by=request.membership, language=form.cleaned_data["language"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if issued.new or issued.retried:
                messages.success(
                    request,
                    ngettext(
                        "%(new)d statement issued, %(retried)d retried: they are being prepared.",
                        "%(new)d statements issued, %(retried)d retried: they are being prepared.",
                        issued.new,
                    )
                    % {"new": issued.new, "retried": issued.retried},
                )
            else:
                messages.info(request, _("Every payee of this run has a statement already."))
    return redirect("console:run_statements", tenant_slug=request.tenant.slug, run_id=run.pk)


@policy_required(policies.can_view_payouts)
def statement_download(request, statement_id: int):
    return _pdf_response(statement_get(membership=request.membership, statement_id=statement_id))


@policy_required(policies.can_view_payouts)
def run_statements_zip(request, run_id: int):
    run = _frozen_run(request, run_id)
    # Everything the archive needs is read here, inside the tenant's
    # transaction; the streamed body only reads the files.
    entries = [
        Entry(
            archive_name=_archive_name(statement),
            stored_name=statement.file.name,
            modified=timezone.localtime(statement.rendered_at or statement.created_at),
        )
        for statement in run_statement_files(run=run)
    ]
    if not entries:
        raise Http404
    response = StreamingHttpResponse(
        zip_stream(entries, default_storage), content_type="application/zip"
    )
    name = f"statements-{request.tenant.slug}-{run.period_start:%Y-%m-%d}-{run.pk}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _payables_name(request, run, extension: str) -> str:
    return f"payables-{request.tenant.slug}-{run.period_start:%Y-%m-%d}-{run.pk}.{extension}"


@policy_required(policies.can_view_payouts)
def run_payables_csv(request, run_id: int):
    run = _frozen_run(request, run_id)
    body = payables_csv(payable_rows(run_payables(run=run)))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{_payables_name(request, run, "csv")}"'
    )
    return response


@policy_required(policies.can_view_payouts)
def run_payables_xlsx(request, run_id: int):
    run = _frozen_run(request, run_id)
    body = payables_xlsx(payable_rows(run_payables(run=run)), title=_("Payables"))
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{_payables_name(request, run, "xlsx")}"'
    )
    return response


# --- payout profiles ----------------------------------------------------------------------


def _profile_page(request, partner, save, done):
    form = PayoutProfileForm(
        request.POST if request.method == "POST" else None,
        initial=PayoutProfileForm.initial_for(payout_profile_of(partner_id=partner.pk)),
    )
    if request.method == "POST" and call_with_form(
        form, lambda: save(partner=partner, by=request.membership, **form.cleaned_data)
    ):
        messages.success(request, _("Payout profile saved."))
        return done
    return render(
        request,
        "statements/payout_profile.html",
        {"form": form, "partner": partner},
        status=400 if form.errors else 200,
    )


@policy_required(policies.can_manage_partners)
def payout_profile_edit(request, partner_id: int):
    partner = partner_get(membership=request.membership, partner_id=partner_id)
    done = redirect(
        "console:payout_profile_edit", tenant_slug=request.tenant.slug, partner_id=partner.pk
    )
    return _profile_page(request, partner, payout_profile_save, done)


# --- portal -----------------------------------------------------------------------------------


@policy_required(policies.can_see_own_earnings)
def my_statements_list(request):
    statements = my_statements(membership=request.membership)
    page = Paginator(statements, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "statements": list(page.object_list)}
    return render(request, "statements/my_statements.html", context)


@policy_required(policies.can_see_own_earnings)
def my_statement_download(request, statement_id: int):
    return _pdf_response(statement_get(membership=request.membership, statement_id=statement_id))


@policy_required(policies.can_edit_partner_profile)
def my_payout_profile(request):
    membership = request.membership
    partner = partner_get(membership=membership, partner_id=partner_id_of(membership))
    done = redirect("portal:my_payout_profile", tenant_slug=request.tenant.slug)
    return _profile_page(request, partner, payout_profile_save_own, done)
