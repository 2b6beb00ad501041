"""Payout runs in the console (calculate, decide the budget, approve, record
payments) and earnings in the portal (estimate, next bracket, payouts)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from incentives.progress import progress_of
from incentives.selectors import earnings
from incentives.selectors import programs as program_selectors
from incentives.selectors import runs as selectors
from incentives.services import runs as services
from partners.selectors.people import partner_of
from partners.selectors.tiers import partner_with_tier_get
from prm import policies

from ...access import policy_required
from ...calls import call_with_form, call_with_message
from ..programs.forms import RunForm
from .forms import BudgetForm, PaymentForm, RecalculateForm

PAGE = 50


def _to_run(request, run_id):
    return redirect("console:payout_run", tenant_slug=request.tenant.slug, run_id=run_id)


@policy_required(policies.can_view_payouts)
def run_list(request):
    runs = selectors.runs_visible_to(membership=request.membership)
    page = Paginator(runs, PAGE).get_page(request.GET.get("page"))
    return render(request, "payouts/runs.html", {"runs": page, "page": page})


@require_POST
@policy_required(policies.can_prepare_payouts)
def run_create(request, program_id):
    program = program_selectors.program_get(membership=request.membership, program_id=program_id)
    form = RunForm(request.POST)
    made = {}
    if call_with_form(
        form,
        lambda: made.setdefault(
            "run",
            services.payout_run_create(
                program=program,
                day=form.cleaned_data["day"],
                as_of=form.cleaned_data["as_of"],
                by=request.membership,
            ),
        ),
    ):
        messages.success(request, _("The run is being calculated."))
        return _to_run(request, made["run"].pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("console:program", tenant_slug=request.tenant.slug, program_id=program.pk)


@policy_required(policies.can_view_payouts)
def run_detail(request, run_id):
    run = selectors.run_get(membership=request.membership, run_id=run_id)
    page = Paginator(selectors.run_payouts(run), PAGE).get_page(request.GET.get("page"))
    context = {
        "run": run,
        "payouts": page,
        "page": page,
        "progress": progress_of(tenant_id=run.tenant_id, run_id=run.pk),
        "payment_form": PaymentForm(initial={"paid_on": timezone.localdate()}),
        "budget_form": BudgetForm(),
        "recalculate_form": RecalculateForm(initial={"as_of": run.as_of}),
        "can_prepare": policies.can_prepare_payouts(request.membership),
        "can_approve": policies.can_approve_payouts(request.membership),
    }
    return render(request, "payouts/run.html", context)


@require_POST
@policy_required(policies.can_prepare_payouts)
def run_recalculate(request, run_id):
    run = selectors.run_get(membership=request.membership, run_id=run_id)
    form = RecalculateForm(request.POST)
    as_of = form.cleaned_data["as_of"] if form.is_valid() else None
    call_with_message(
        request,
        lambda: services.payout_run_recalculate(run=run, as_of=as_of, by=request.membership),
        _("The run is being calculated again."),
    )
    return _to_run(request, run.pk)


@require_POST
@policy_required(policies.can_prepare_payouts)
def run_budget(request, run_id):
    run = selectors.run_get(membership=request.membership, run_id=run_id)
    form = BudgetForm(request.POST)
    decision = form.cleaned_data["decision"] if form.is_valid() else ""
    call_with_message(
        request,
        lambda: services.payout_run_budget_decide(
            run=run, decision=decision, by=request.membership
        ),
        _("Budget decision recorded."),
    )
    return _to_run(request, run.pk)


@require_POST
@policy_required(policies.can_approve_payouts)
def run_approve(request, run_id):
    run = selectors.run_get(membership=request.membership, run_id=run_id)
    call_with_message(
        request,
        lambda: services.payout_run_approve(run=run, by=request.membership),
        _("Run approved: it can no longer change."),
    )
    return _to_run(request, run.pk)


def _payment(request, call):
    form = PaymentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return
    call_with_message(request, lambda: call(**form.cleaned_data), _("Payment recorded."))


@require_POST
@policy_required(policies.can_approve_payouts)
def run_paid(request, run_id):
    run = selectors.run_get(membership=request.membership, run_id=run_id)
    _payment(
        request,
        lambda **data: services.payout_run_mark_paid(run=run, by=request.membership, **data),
    )
    return _to_run(request, run.pk)


@policy_required(policies.can_view_payouts)
def payout_detail(request, payout_id):
    payout = selectors.payout_get(membership=request.membership, payout_id=payout_id)
    if request.method == "POST":
        if not policies.can_approve_payouts(request.membership):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        _payment(
            request,
            lambda **data: services.payout_mark_paid(payout=payout, by=request.membership, **data),
        )
        return redirect("console:payout", tenant_slug=request.tenant.slug, payout_id=payout.pk)
    context = {
        "payout": payout,
        "items": selectors.payout_items(payout),
        "payment_form": PaymentForm(initial={"paid_on": timezone.localdate()}),
        "can_approve": policies.can_approve_payouts(request.membership),
        "console": True,
    }
    return render(request, "payouts/payout.html", context)


@policy_required(policies.can_view_payouts)
def partner_earnings(request, partner_id):
    """The partner 360 page's earnings: the same as the partner sees, plus drafts."""
    partner = partner_with_tier_get(membership=request.membership, partner_id=partner_id)
    context = {
        "partner": partner,
        "estimates": earnings.earnings_estimates(partner=partner, today=timezone.localdate()),
        "payouts": selectors.partner_payouts(membership=request.membership, partner_id=partner.pk)[
            :100
        ],
        "console": True,
    }
    return render(request, "payouts/earnings.html", context)


@policy_required(policies.can_see_own_earnings)
def my_earnings(request):
    partner = partner_of(request.membership)
    context = {
        "partner": partner,
        "estimates": earnings.earnings_estimates(partner=partner, today=timezone.localdate())
        if partner
        else [],
        "payouts": selectors.payouts_visible_to(membership=request.membership).order_by(
            "-run__period_start", "-pk"
        )[:100],
        "console": False,
    }
    return render(request, "payouts/earnings.html", context)


@policy_required(policies.can_see_own_earnings)
def my_payout(request, payout_id):
    payout = selectors.payout_get(membership=request.membership, payout_id=payout_id)
    context = {"payout": payout, "items": selectors.payout_items(payout), "console": False}
    return render(request, "payouts/payout.html", context)
