"""Onboarding: plans and overdue steps in the console, progress in the portal."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.selectors import onboarding as selectors
from partners.selectors.people import partner_of
from partners.services import onboarding as services
from prm import policies

from ...access import policy_required
from ...forms import apply_validation_error
from .forms import PlanForm, StepForm


def plans(request):
    form = PlanForm(request.POST or None)
    if request.method == "POST":
        if not policies.can_manage_onboarding(request.membership):
            raise PermissionDenied
        if form.is_valid():
            try:
                plan = services.plan_create(by=request.membership, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                return redirect(
                    "console:onboarding_plan", tenant_slug=request.tenant.slug, plan_id=plan.pk
                )
    return render(
        request,
        "onboarding/plans.html",
        {
            "plans": selectors.plans(),
            "form": form,
            "overdue": selectors.overdue_steps(membership=request.membership)[:100],
            "can_edit": policies.can_manage_onboarding(request.membership),
        },
        status=400 if form.errors else 200,
    )


def plan_detail(request, plan_id: int):
    plan = selectors.plan_get(plan_id=plan_id)
    form = StepForm(request.POST or None)
    if request.method == "POST":
        if not policies.can_manage_onboarding(request.membership):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.step_add(plan=plan, by=request.membership, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Step added."))
                return redirect(
                    "console:onboarding_plan", tenant_slug=request.tenant.slug, plan_id=plan.pk
                )
    return render(
        request,
        "onboarding/plan.html",
        {
            "plan": plan,
            "steps": plan.steps.all(),
            "form": form,
            "can_edit": policies.can_manage_onboarding(request.membership),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@policy_required(policies.can_manage_onboarding)
def step_remove(request, step_id: int):
    step = selectors.step_get(step_id=step_id)
    services.step_remove(step=step, by=request.membership)
    messages.success(request, _("Step removed."))
    return redirect(
        "console:onboarding_plan", tenant_slug=request.tenant.slug, plan_id=step.plan_id
    )


def _tick(request, partner_step_id: int):
    partner_step = selectors.partner_step_get(
        membership=request.membership, partner_step_id=partner_step_id
    )
    try:
        services.onboarding_step_complete(partner_step=partner_step, by=request.membership)
        messages.success(request, _("Step done."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return partner_step


@require_POST
@policy_required(policies.can_manage_onboarding)
def console_step_complete(request, partner_step_id: int):
    partner_step = _tick(request, partner_step_id)
    return redirect(
        "console:partner_detail",
        tenant_slug=request.tenant.slug,
        partner_id=partner_step.onboarding.partner_id,
    )


def portal_progress(request):
    partner = partner_of(request.membership)
    # Steps the system can observe are checked live when the partner looks.
    services.onboarding_refresh(partner_ids=[partner.pk])
    return render(
        request,
        "onboarding/portal.html",
        {"progress": selectors.onboarding_progress(partner=partner)},
    )


@require_POST
def portal_step_complete(request, partner_step_id: int):
    _tick(request, partner_step_id)
    return redirect("portal:onboarding", tenant_slug=request.tenant.slug)
