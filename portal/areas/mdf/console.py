"""Market development funds in the console: the queue of requests and claims
waiting for a decision, deciding them, the funds of a program period (allocate,
top up, reduce, each fund's ledger), the utilisation and return report, and
the proof download for vendor staff."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from incentives.models import MdfAllocation
from incentives.periods import period_of
from incentives.selectors import mdf as selectors
from incentives.services import mdf_claims, mdf_funds, mdf_requests
from prm import policies

from ...access import policy_required
from ...calls import call_with_form
from ...forms import partner_search
from .forms import (
    AdjustForm,
    AllocateForm,
    AllocateOneForm,
    ApproveForm,
    FundsFilterForm,
    QuestionForm,
    RejectForm,
    RequestApproveForm,
)
from .views import proof_response

PAGE = 50


def _status(forms_: dict) -> int:
    return 400 if any(form.is_bound and form.errors for form in forms_.values()) else 200


def _decide(request, forms_: dict, calls: dict, success: dict) -> bool:
    """Run the decision the POST names with its own form; whether it was taken
    (if not, ``forms_`` holds that form bound, with its errors)."""
    if not policies.can_decide_mdf(request.membership):
        raise PermissionDenied
    decision = request.POST.get("decision", "")
    if decision not in calls:
        raise BadRequest
    form = forms_[decision] = type(forms_[decision])(request.POST)
    if not call_with_form(form, lambda: calls[decision](**form.cleaned_data)):
        return False
    messages.success(request, success[decision])
    return True


# --- the queue and decisions ------------------------------------------------------------


@policy_required(policies.can_decide_mdf)
def queue(request):
    page = Paginator(selectors.mdf_queue(membership=request.membership), PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "mdf/queue.html", {"page": page, "items": list(page.object_list)})


@policy_required(policies.can_view_mdf)
def request_detail(request, request_id: int):
    mdf_request = selectors.request_get(membership=request.membership, request_id=request_id)
    forms_: dict[str, forms.Form] = {
        "approve": RequestApproveForm(),
        "changes": QuestionForm(),
        "reject": RejectForm(),
    }
    if request.method == "POST":
        by = request.membership
        decided = _decide(
            request,
            forms_,
            {
                "approve": lambda amount, note: mdf_requests.mdf_request_approve(
                    request=mdf_request, by=by, amount=amount, note=note
                ),
                "changes": lambda question: mdf_requests.mdf_request_ask_changes(
                    request=mdf_request, question=question, by=by
                ),
                "reject": lambda reason: mdf_requests.mdf_request_reject(
                    request=mdf_request, reason=reason, by=by
                ),
            },
            {
                "approve": _("Request approved: the funds are committed."),
                "changes": _("Request sent back with your question."),
                "reject": _("Request rejected."),
            },
        )
        if decided:
            return redirect(
                "console:mdf_request", tenant_slug=request.tenant.slug, request_id=mdf_request.pk
            )
    context = {
        "mdf_request": mdf_request,
        "claims": selectors.claims_of(request=mdf_request),
        "can_decide": policies.can_decide_mdf(request.membership),
        "approve_form": forms_["approve"],
        "changes_form": forms_["changes"],
        "reject_form": forms_["reject"],
        "console": True,
    }
    return render(request, "mdf/request.html", context, status=_status(forms_))


@policy_required(policies.can_view_mdf)
def claim_detail(request, claim_id: int):
    claim = selectors.claim_get(membership=request.membership, claim_id=claim_id)
    forms_: dict[str, forms.Form] = {"approve": ApproveForm(), "reject": RejectForm()}
    if request.method == "POST":
        by = request.membership
        decided = _decide(
            request,
            forms_,
            {
                "approve": lambda amount: mdf_claims.mdf_claim_approve(
                    claim=claim, by=by, amount=amount
                ),
                "reject": lambda reason: mdf_claims.mdf_claim_reject(
                    claim=claim, reason=reason, by=by
                ),
            },
            {
                "approve": _("Claim approved: it is paid with the program's next payout run."),
                "reject": _("Claim rejected."),
            },
        )
        if decided:
            return redirect("console:mdf_claim", tenant_slug=request.tenant.slug, claim_id=claim.pk)
    claims = selectors.claims_of(request=claim.request)
    context = {
        "claim": next(shown for shown in claims if shown.pk == claim.pk),
        "mdf_request": claim.request,
        "others": [other for other in claims if other.pk != claim.pk],
        "can_decide": policies.can_decide_mdf(request.membership),
        "approve_form": forms_["approve"],
        "reject_form": forms_["reject"],
    }
    return render(request, "mdf/claim.html", context, status=_status(forms_))


@policy_required(policies.can_view_mdf)
def proof(request, proof_id: int):
    return proof_response(request, proof_id)


# --- funds ------------------------------------------------------------------------------


def _allocate(request, program):
    """Run the allocation the POST names: (its form, a redirect when done)."""
    by = request.membership
    if request.POST.get("form") == "allocate_one":
        form = AllocateOneForm(request.POST, partner_search=partner_search(request))

        def call() -> str:
            data = form.cleaned_data
            mdf_funds.mdf_fund_allocate_one(
                program=program,
                partner=data["partner"],
                day=data["period"],
                amount=data["amount"],
                note=data["note"],
                by=by,
            )
            return _("Funds allocated.")

    else:
        form = AllocateForm(request.POST)

        def call() -> str:
            made = mdf_funds.mdf_funds_allocate(
                program=program, day=form.cleaned_data["period"], by=by
            )
            return ngettext(
                "%(n)d fund allocated for the period.",
                "%(n)d funds allocated for the period.",
                made,
            ) % {"n": made}

    said: list[str] = []
    if not call_with_form(form, lambda: said.append(call())):
        return form, None
    messages.success(request, said[0])
    query = urlencode({"program": program.pk, "day": form.cleaned_data["period"].isoformat()})
    return form, redirect(f"{request.path}?{query}")


@policy_required(policies.can_view_mdf)
def funds(request):
    programs = list(selectors.mdf_programs_visible_to(membership=request.membership))
    filters = FundsFilterForm(request.GET or None, programs=programs, today=timezone.localdate())
    program = filters.chosen_program()
    day = filters.chosen_day()
    allocate_form = AllocateForm(initial={"period": day})
    allocate_one_form = AllocateOneForm(
        initial={"period": day}, partner_search=partner_search(request)
    )
    if request.method == "POST":
        if not policies.can_manage_mdf(request.membership):
            raise PermissionDenied
        if program is None:
            raise BadRequest
        form, done = _allocate(request, program)
        if done is not None:
            return done
        if isinstance(form, AllocateOneForm):
            allocate_one_form = form
        else:
            allocate_form = form
    listed = (
        selectors.funds_of_period(membership=request.membership, program=program, day=day)
        if program is not None
        else []
    )
    page = Paginator(listed, PAGE).get_page(request.GET.get("page"))
    context = {
        "programs": programs,
        "program": program,
        "period": period_of(program.calendar, program.starts_on, program.ends_on, day)
        if program is not None
        else None,
        "filters": filters,
        "page": page,
        "funds": list(page.object_list),
        "can_manage": policies.can_manage_mdf(request.membership),
        "by_rule": program is not None and program.mdf_allocation != MdfAllocation.MANUAL,
        "allocate_form": allocate_form,
        "allocate_one_form": allocate_one_form,
    }
    status = _status({"all": allocate_form, "one": allocate_one_form})
    return render(request, "mdf/funds.html", context, status=status)


@policy_required(policies.can_view_mdf)
def fund_detail(request, fund_id: int):
    fund = selectors.fund_get(membership=request.membership, fund_id=fund_id)
    form = AdjustForm(request.POST or None)
    if request.method == "POST":
        if not policies.can_manage_mdf(request.membership):
            raise PermissionDenied
        if call_with_form(
            form,
            lambda: mdf_funds.mdf_fund_adjust(
                by=request.membership, fund=fund, **form.cleaned_data
            ),
        ):
            messages.success(request, _("Fund changed."))
            return redirect("console:mdf_fund", tenant_slug=request.tenant.slug, fund_id=fund.pk)
    entries = selectors.fund_entries(fund=fund)
    page = Paginator(entries, PAGE).get_page(request.GET.get("page"))
    context = {
        "fund": fund,
        "page": page,
        "entries": list(page.object_list),
        "form": form,
        "can_manage": policies.can_manage_mdf(request.membership),
    }
    return render(request, "mdf/fund.html", context, status=400 if form.errors else 200)


# --- report -----------------------------------------------------------------------------


@policy_required(policies.can_view_mdf)
def report(request):
    returns = Paginator(selectors.mdf_returns(membership=request.membership), PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "utilisation": selectors.mdf_utilisation(membership=request.membership),
        "page": returns,
        "returns": list(returns.object_list),
    }
    return render(request, "mdf/report.html", context)
