"""Partner points.

Console: the earning rules, the points settings, the reward catalogue (with
its images), the redemption queue, the points liability per partner and a
partner's people's points with manual adjustments.  Portal: the person's
points (balance, held, expiring soon; a partner admin also the team's), the
history, the catalogue and the redemptions.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from incentives.selectors import points as selectors
from incentives.services import points as services
from incentives.services import rewards as reward_services
from partners.selectors.organisations import partner_get
from prm import policies

from ...access import policy_required
from ...calls import call_with_form, call_with_message
from .forms import AdjustForm, RejectForm, RewardForm, RuleForm, SettingsForm

PAGE = 50


def _page(request, queryset):
    page = Paginator(queryset, PAGE).get_page(request.GET.get("page"))
    return page, list(page.object_list)


def _image_response(reward) -> FileResponse:
    if not reward.image:
        raise Http404
    response = FileResponse(reward.image.open("rb"), content_type=reward.image_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=300"
    return response


def _to(request, name, **kwargs):
    return redirect(f"console:{name}", tenant_slug=request.tenant.slug, **kwargs)


# --- console: earning rules and settings -----------------------------------------------


@policy_required(policies.can_manage_points)
def rules(request):
    form = RuleForm(request.POST or None, events=selectors.event_choices())
    if request.method == "POST" and call_with_form(
        form, lambda: services.earning_rule_create(by=request.membership, **form.cleaned_data)
    ):
        messages.success(request, _("Earning rule created."))
        return _to(request, "points_rules")
    context = {"rules": selectors.earning_rules(), "form": form}
    return render(request, "points/console_rules.html", context, status=400 if form.errors else 200)


@policy_required(policies.can_manage_points)
def rule_edit(request, earning_rule_id: int):
    rule = selectors.earning_rule_get(membership=request.membership, rule_id=earning_rule_id)
    form = RuleForm(
        request.POST or None,
        events=selectors.event_choices(),
        editing=True,
        initial={"points": rule.points, "per_amount": rule.per_amount or ""},
    )
    if request.method == "POST" and call_with_form(
        form,
        lambda: services.earning_rule_update(rule=rule, by=request.membership, **form.cleaned_data),
    ):
        messages.success(request, _("Earning rule saved."))
        return _to(request, "points_rules")
    context = {
        "rule": rule,
        "form": form,
        "event_label": dict(selectors.event_choices()).get(rule.event, rule.event),
    }
    return render(request, "points/console_rule.html", context, status=400 if form.errors else 200)


@require_POST
@policy_required(policies.can_manage_points)
def rule_deactivate(request, earning_rule_id: int):
    rule = selectors.earning_rule_get(membership=request.membership, rule_id=earning_rule_id)
    call_with_message(
        request,
        lambda: services.earning_rule_deactivate(rule=rule, by=request.membership),
        _("The rule is inactive: the event earns no points from now on."),
    )
    return _to(request, "points_rules")


@policy_required(policies.can_manage_points)
def settings_edit(request):
    current = selectors.points_settings()
    form = SettingsForm(
        request.POST or None,
        initial={
            "expire_after": current.expire_after or "",
            "expire_unit": current.expire_unit,
            "reminder_days": current.reminder_days,
        },
    )
    if request.method == "POST" and call_with_form(
        form,
        lambda: services.points_settings_save(by=request.membership, **form.cleaned_data),
    ):
        messages.success(request, _("Points settings saved."))
        return _to(request, "points_settings")
    return render(
        request, "points/console_settings.html", {"form": form}, status=400 if form.errors else 200
    )


# --- console: the catalogue ----------------------------------------------------------------


@policy_required(policies.can_manage_points)
def rewards(request):
    form = RewardForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and call_with_form(
        form,
        lambda: reward_services.reward_create(by=request.membership, **form.cleaned_data),
    ):
        messages.success(request, _("Reward added to the catalogue."))
        return _to(request, "rewards")
    page, items = _page(request, selectors.rewards_visible_to(membership=request.membership))
    context = {"rewards": items, "page": page, "form": form}
    return render(
        request, "points/console_rewards.html", context, status=400 if form.errors else 200
    )


@policy_required(policies.can_manage_points)
def reward_edit(request, reward_id: int):
    reward = selectors.reward_get(membership=request.membership, reward_id=reward_id)
    form = RewardForm(
        request.POST or None,
        request.FILES or None,
        editing=True,
        initial={
            "name": reward.name,
            "description": reward.description,
            "cost": reward.cost,
            "stock": "" if reward.stock is None else reward.stock,
            "is_active": reward.is_active,
        },
    )
    if request.method == "POST" and call_with_form(
        form,
        lambda: reward_services.reward_update(
            reward=reward, by=request.membership, **form.cleaned_data
        ),
    ):
        messages.success(request, _("Reward saved."))
        return _to(request, "rewards")
    context = {"reward": reward, "form": form}
    return render(
        request, "points/console_reward.html", context, status=400 if form.errors else 200
    )


@policy_required(policies.can_manage_points)
def reward_image(request, reward_id: int):
    return _image_response(selectors.reward_get(membership=request.membership, reward_id=reward_id))


# --- console: redemptions, liability, a partner's points -----------------------------------


@policy_required(policies.can_decide_redemptions)
def redemptions(request):
    page, items = _page(request, selectors.redemption_queue(membership=request.membership))
    context = {"redemptions": items, "page": page, "reject_form": RejectForm()}
    return render(request, "points/console_redemptions.html", context)


@require_POST
@policy_required(policies.can_decide_redemptions)
def redemption_fulfil(request, redemption_id: int):
    redemption = selectors.redemption_get(
        membership=request.membership, redemption_id=redemption_id
    )
    call_with_message(
        request,
        lambda: reward_services.redemption_fulfil(redemption=redemption, by=request.membership),
        _("Redemption fulfilled."),
    )
    return _to(request, "redemptions")


@require_POST
@policy_required(policies.can_decide_redemptions)
def redemption_reject(request, redemption_id: int):
    redemption = selectors.redemption_get(
        membership=request.membership, redemption_id=redemption_id
    )
    form = RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    call_with_message(
        request,
        lambda: reward_services.redemption_reject(
            redemption=redemption, reason=reason, by=request.membership
        ),
        _("Redemption rejected: its points were returned."),
    )
    return _to(request, "redemptions")


@policy_required(policies.can_manage_points)
def liability(request):
    page, items = _page(request, selectors.points_liability(membership=request.membership))
    return render(request, "points/console_liability.html", {"rows": items, "page": page})


@policy_required(policies.can_manage_points)
def partner_points(request, partner_id: int):
    partner = partner_get(membership=request.membership, partner_id=partner_id)
    form = AdjustForm(request.POST or None, people=selectors.partner_people(partner=partner))
    if request.method == "POST" and call_with_form(
        form,
        lambda: services.points_adjust(
            person=selectors.partner_person_get(
                membership=request.membership,
                partner=partner,
                person_id=form.cleaned_data["person"],
            ),
            points=form.cleaned_data["points"],
            reason=form.cleaned_data["reason"],
            by=request.membership,
        ),
    ):
        messages.success(request, _("Points adjusted."))
        return _to(request, "partner_points", partner_id=partner.pk)
    context = {
        "partner": partner,
        "balances": selectors.partner_points(membership=request.membership, partner=partner),
        "form": form,
    }
    return render(
        request, "points/console_partner.html", context, status=400 if form.errors else 200
    )


# --- portal --------------------------------------------------------------------------------


@policy_required(policies.can_earn_points)
def my_points(request):
    context = {
        "points": selectors.my_points(membership=request.membership),
        "team": selectors.team_points(membership=request.membership),
    }
    return render(request, "points/portal_points.html", context)


@policy_required(policies.can_earn_points)
def history(request):
    page, entries = _page(request, selectors.entries_visible_to(membership=request.membership))
    return render(request, "points/portal_history.html", {"entries": entries, "page": page})


@policy_required(policies.can_earn_points)
def catalogue(request):
    page, items = _page(request, selectors.rewards_visible_to(membership=request.membership))
    context = {
        "rewards": items,
        "page": page,
        "points": selectors.my_points(membership=request.membership),
    }
    return render(request, "points/portal_rewards.html", context)


@require_POST
@policy_required(policies.can_earn_points)
def reward_redeem(request, reward_id: int):
    reward = selectors.reward_get(membership=request.membership, reward_id=reward_id)
    call_with_message(
        request,
        lambda: reward_services.redemption_request(reward=reward, by=request.membership),
        _("Redeemed: the vendor will send your reward; the points are held until then."),
    )
    return redirect("portal:my_redemptions", tenant_slug=request.tenant.slug)


@policy_required(policies.can_earn_points)
def my_reward_image(request, reward_id: int):
    return _image_response(selectors.reward_get(membership=request.membership, reward_id=reward_id))


@policy_required(policies.can_earn_points)
def my_redemptions(request):
    page, items = _page(request, selectors.redemptions_visible_to(membership=request.membership))
    return render(request, "points/portal_redemptions.html", {"redemptions": items, "page": page})


@policy_required(policies.can_earn_points)
def my_redemption(request, redemption_id: int):
    redemption = selectors.redemption_get(
        membership=request.membership, redemption_id=redemption_id
    )
    return render(request, "points/portal_redemption.html", {"redemption": redemption})
