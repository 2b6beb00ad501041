"""Market development funds in the portal: the organisation's funds by state,
its requests with what to do next and by when, the request and claim forms,
and the authorised download of a proof (also for the console)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from incentives.selectors import mdf as selectors
from incentives.services import mdf_claims, mdf_requests
from incentives.states import (
    mdf_claim_is_decidable,
    mdf_request_is_claimable,
    mdf_request_is_revisable,
    program_is_active,
)
from prm import policies

from ...access import policy_required
from ...calls import call_with_form, call_with_message
from .forms import ClaimForm, RequestForm

PAGE = 50


def _to_request(request, request_id: int):
    return redirect("portal:mdf_request", tenant_slug=request.tenant.slug, request_id=request_id)


def _open_programs(request) -> list:
    """The active MDF programs the organisation has funds in."""
    return [
        program
        for program in selectors.mdf_programs_visible_to(membership=request.membership)
        if program_is_active(program)
    ]


@policy_required(policies.can_request_mdf)
def home(request):
    membership = request.membership
    today = timezone.localdate()
    funds = selectors.current_funds(membership=membership, today=today)
    in_play = list(selectors.open_requests(membership=membership))
    ids = [row.pk for row in in_play]
    waiting = selectors.waiting_claims(request_ids=ids)
    claims = selectors.claims_by_request(membership=membership, request_ids=ids)
    for row in in_play:
        row.step = selectors.next_step(row, today, claim_waiting=row.pk in waiting)
        row.claim_list = claims.get(row.pk, [])
    earlier = selectors.earlier_requests(membership=membership, besides=ids)
    page = Paginator(earlier, PAGE).get_page(request.GET.get("page"))
    context = {
        "funds": funds,
        # Totals only mean something when the funds share one currency.
        "totals": selectors.partner_totals(membership=membership, today=today)
        if len(funds) > 1 and len({fund.currency for fund in funds}) == 1
        else None,
        "open_requests": in_play,
        "page": page,
        "earlier": list(page.object_list),
        "can_ask": bool(_open_programs(request)),
    }
    return render(request, "mdf/home.html", context)


@policy_required(policies.can_request_mdf)
def request_new(request):
    programs = _open_programs(request)
    form = RequestForm(request.POST or None, programs=programs)
    made = {}
    if (
        request.method == "POST"
        and programs
        and call_with_form(
            form,
            lambda: made.setdefault(
                "request",
                mdf_requests.mdf_request_submit(
                    program=form.chosen_program(), plan=form.plan(), by=request.membership
                ),
            ),
        )
    ):
        messages.success(request, _("Request sent: the vendor decides on it."))
        return _to_request(request, made["request"].pk)
    context = {
        "form": form,
        "programs": programs,
        "funds": selectors.current_funds(membership=request.membership, today=timezone.localdate()),
    }
    return render(request, "mdf/request_form.html", context, status=400 if form.errors else 200)


@policy_required(policies.can_request_mdf)
def request_detail(request, request_id: int):
    mdf_request = selectors.request_get(membership=request.membership, request_id=request_id)
    claims = selectors.claims_of(request=mdf_request)
    today = timezone.localdate()
    waiting = any(mdf_claim_is_decidable(claim) for claim in claims)
    form = None
    if mdf_request_is_claimable(mdf_request, today) and not waiting:
        form = ClaimForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form is None:
            messages.error(request, _("This request cannot be claimed now."))
            return _to_request(request, mdf_request.pk)
        if call_with_form(
            form,
            lambda: mdf_claims.mdf_claim_submit(
                request=mdf_request,
                report=form.report(),
                proofs=form.cleaned_data["proofs"],
                by=request.membership,
            ),
        ):
            messages.success(request, _("Claim sent: the vendor checks your proof."))
            return _to_request(request, mdf_request.pk)
    context = {
        "mdf_request": mdf_request,
        "claims": claims,
        "step": selectors.next_step(mdf_request, today, claim_waiting=waiting),
        "claim_form": form,
        "console": False,
    }
    return render(
        request,
        "mdf/request.html",
        context,
        status=400 if form is not None and form.errors else 200,
    )


@policy_required(policies.can_request_mdf)
def request_edit(request, request_id: int):
    mdf_request = selectors.request_get(membership=request.membership, request_id=request_id)
    if not mdf_request_is_revisable(mdf_request):
        messages.error(request, _("This request has been decided; it cannot change."))
        return _to_request(request, mdf_request.pk)
    form = RequestForm(
        request.POST or None,
        programs=[mdf_request.program],
        initial=RequestForm.initial_for(mdf_request),
    )
    if request.method == "POST" and call_with_form(
        form,
        lambda: mdf_requests.mdf_request_revise(
            request=mdf_request, plan=form.plan(), by=request.membership
        ),
    ):
        messages.success(request, _("Request changed and sent again."))
        return _to_request(request, mdf_request.pk)
    return render(
        request,
        "mdf/request_form.html",
        {
            "form": form,
            "mdf_request": mdf_request,
            "programs": [mdf_request.program],
            "funds": [mdf_request.fund],
        },
        status=400 if form.errors else 200,
    )


@require_POST
@policy_required(policies.can_request_mdf)
def request_withdraw(request, request_id: int):
    mdf_request = selectors.request_get(membership=request.membership, request_id=request_id)
    call_with_message(
        request,
        lambda: mdf_requests.mdf_request_withdraw(request=mdf_request, by=request.membership),
        _("Request withdrawn."),
    )
    return redirect("portal:mdf", tenant_slug=request.tenant.slug)


# --- proofs ---------------------------------------------------------------------------------


def proof_response(request, proof_id: int) -> FileResponse:
    """A proof as an attachment, for whoever may see it (404 for anyone else),
    served with the type read from its content at upload and never sniffed."""
    proof = selectors.proof_get(membership=request.membership, proof_id=proof_id)
    response = FileResponse(
        proof.file.open("rb"),
        as_attachment=True,
        filename=proof.name,
        content_type=proof.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@policy_required(policies.can_request_mdf)
def my_proof(request, proof_id: int):
    return proof_response(request, proof_id)
