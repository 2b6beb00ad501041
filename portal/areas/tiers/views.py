"""Tiers: the program (policy, tiers, requirements), the proposal queue and a
partner's tier history in the console; "what you need for the next tier" in the portal."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.selectors import tiers as selectors
from partners.services import tier_evaluation
from partners.services import tiers as services
from prm import policies

from ...access import policy_required
from ...forms import apply_validation_error
from .forms import (
    PartnerTierForm,
    TierDecisionForm,
    TierForm,
    TierPolicyForm,
    TierRequirementForm,
)


def _status(*forms) -> int:
    return 400 if any(f is not None and f.errors for f in forms) else 200


# --- the program ---------------------------------------------------------------------


def program(request):
    policy = selectors.tier_policy(membership=request.membership)
    initial = {
        "enabled": policy.enabled if policy else False,
        "mode": policy.mode if policy else "reviewed",
        "demotion_grace_days": policy.demotion_grace_days if policy else 90,
    }
    form = TierPolicyForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not policies.can_edit_tiers(request.membership):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.tier_policy_save(by=request.membership, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Tier settings saved."))
                return redirect("console:tiers", tenant_slug=request.tenant.slug)
    context = {
        "policy": policy,
        "form": form,
        "tiers": selectors.tiers_overview(membership=request.membership),
        "open_proposals": selectors.tier_proposals(membership=request.membership).count(),
        "can_edit": policies.can_edit_tiers(request.membership),
    }
    return render(request, "tiers/program.html", context, status=_status(form))


@require_POST
@policy_required(policies.can_edit_tiers)
def evaluate(request):
    summary = tier_evaluation.tiers_evaluate(on=timezone.localdate(), by=request.membership)
    if not summary.enabled:
        messages.warning(request, _("Tiers are switched off; nobody was evaluated."))
    else:
        messages.success(
            request,
            _(
                "%(evaluated)s partners evaluated: %(promote)s to promote, %(demote)s to "
                "demote, %(grace)s in their grace period, %(keep)s unchanged. %(applied)s "
                "changes applied, %(proposed)s proposed, %(withdrawn)s proposals withdrawn."
            )
            % vars(summary),
        )
    return redirect("console:tiers", tenant_slug=request.tenant.slug)


@policy_required(policies.can_edit_tiers)
def tier_create(request):
    form = TierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tier = services.tier_create(by=request.membership, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Tier %(name)s added.") % {"name": tier.name})
            return redirect("console:tier_edit", tenant_slug=request.tenant.slug, tier_id=tier.pk)
    return render(request, "tiers/tier_form.html", {"form": form}, status=_status(form))


def _tier_page(request, tier, *, form=None, requirement_form=None):
    can_edit = policies.can_edit_tiers(request.membership)
    context = {
        "tier": tier,
        "form": form or (TierForm.for_tier(tier) if can_edit else None),
        "requirement_form": requirement_form or (TierRequirementForm() if can_edit else None),
        "can_edit": can_edit,
    }
    return render(request, "tiers/tier_form.html", context, status=_status(form, requirement_form))


def tier_edit(request, tier_id: int):
    tier = selectors.tier_get(membership=request.membership, tier_id=tier_id)
    if request.method != "POST":
        return _tier_page(request, tier)
    if not policies.can_edit_tiers(request.membership):
        raise PermissionDenied
    form = TierForm.for_tier(tier, request.POST)
    if form.is_valid():
        try:
            services.tier_update(tier=tier, by=request.membership, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Tier saved."))
            return redirect("console:tier_edit", tenant_slug=request.tenant.slug, tier_id=tier.pk)
    tier = selectors.tier_get(membership=request.membership, tier_id=tier_id)
    return _tier_page(request, tier, form=form)


@require_POST
@policy_required(policies.can_edit_tiers)
def tier_delete(request, tier_id: int):
    tier = selectors.tier_get(membership=request.membership, tier_id=tier_id)
    try:
        services.tier_delete(tier=tier, by=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("console:tier_edit", tenant_slug=request.tenant.slug, tier_id=tier.pk)
    messages.success(request, _("Tier %(name)s deleted.") % {"name": tier.name})
    return redirect("console:tiers", tenant_slug=request.tenant.slug)


@require_POST
@policy_required(policies.can_edit_tiers)
def requirement_add(request, tier_id: int):
    tier = selectors.tier_get(membership=request.membership, tier_id=tier_id)
    form = TierRequirementForm(request.POST)
    if form.is_valid():
        try:
            services.tier_requirement_add(tier=tier, by=request.membership, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Requirement added."))
            return redirect("console:tier_edit", tenant_slug=request.tenant.slug, tier_id=tier.pk)
    return _tier_page(request, tier, requirement_form=form)


@require_POST
@policy_required(policies.can_edit_tiers)
def requirement_remove(request, requirement_id: int):
    requirement = selectors.tier_requirement_get(
        membership=request.membership, requirement_id=requirement_id
    )
    services.tier_requirement_remove(requirement=requirement, by=request.membership)
    messages.success(request, _("Requirement removed."))
    return redirect(
        "console:tier_edit", tenant_slug=request.tenant.slug, tier_id=requirement.tier_id
    )


# --- proposals and history -------------------------------------------------------------


def _proposals_page(request, *, form=None, failed_change_id=None):
    context = {
        "proposals": selectors.tier_proposals(membership=request.membership),
        "can_decide": policies.can_decide_tier_changes(request.membership),
        "form": form,
        "failed_change_id": failed_change_id,
    }
    return render(request, "tiers/proposals.html", context, status=_status(form))


def proposals(request):
    return _proposals_page(request)


@require_POST
@policy_required(policies.can_decide_tier_changes)
def decide(request, change_id: int):
    change = selectors.tier_change_get(membership=request.membership, change_id=change_id)
    form = TierDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.tier_change_decide(change=change, by=request.membership, **form.cleaned_data)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                # Already decided (or changed) meanwhile: nothing to fix in the form.
                messages.error(request, " ".join(error.messages))
                return redirect("console:tier_proposals", tenant_slug=request.tenant.slug)
            apply_validation_error(form, error)
        else:
            if form.cleaned_data["approve"]:
                messages.success(
                    request, _("Tier change applied to %(p)s.") % {"p": change.partner}
                )
            else:
                messages.success(request, _("Proposal for %(p)s rejected.") % {"p": change.partner})
            return redirect("console:tier_proposals", tenant_slug=request.tenant.slug)
    return _proposals_page(request, form=form, failed_change_id=change.pk)


def partner_tiers(request, partner_id: int):
    partner = selectors.partner_with_tier_get(membership=request.membership, partner_id=partner_id)
    can_set = policies.can_decide_tier_changes(request.membership)
    form = PartnerTierForm(request.POST or None, initial={"tier": partner.tier_id})
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.partner_set_tier(
                    partner=partner, by=request.membership, **form.cleaned_data
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Tier changed."))
                return redirect(
                    "console:partner_tiers", tenant_slug=request.tenant.slug, partner_id=partner.pk
                )
    changes, evaluations = selectors.partner_tier_history(
        membership=request.membership, partner=partner
    )
    context = {
        "partner": partner,
        "changes": changes,
        "evaluations": evaluations,
        "form": form if can_set else None,
        "policy": selectors.tier_policy(membership=request.membership),
    }
    return render(request, "tiers/partner_tiers.html", context, status=_status(form))


# --- portal ---------------------------------------------------------------------------


def progress(request):
    return render(
        request,
        "tiers/progress.html",
        {"progress": selectors.tier_progress(membership=request.membership)},
    )
