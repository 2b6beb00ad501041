"""Lead distribution in the console (leads, offers, routing rules) and the
partner's leads inbox in the portal; a lead's activity log is added to here."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deals import states
from deals.models import Lead, LeadOffer
from deals.selectors import leads as selectors
from deals.services import leads as lead_services
from deals.services import offers, routing
from partners.models import Tier
from partners.selectors.people import partner_id_of
from partners.types import partner_type_choices
from prm import policies

from ...access import policy_required
from ...forms import apply_validation_error, partner_search
from ..activities.forms import ActivityForm
from ..activities.panel import activity_panel
from ..activities.views import add_activity
from .forms import (
    CloseForm,
    DeclineForm,
    LeadFilterForm,
    LeadForm,
    OfferForm,
    RoutingRuleForm,
)

PAGE_SIZE = 25


def _to_console_lead(request, lead):
    return redirect("console:lead_detail", tenant_slug=request.tenant.slug, lead_id=lead.pk)


def _to_portal_lead(request, lead_id: int):
    return redirect("portal:lead_detail", tenant_slug=request.tenant.slug, lead_id=lead_id)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def format_duration(value: timedelta | None) -> str:
    """“2 d 3 h”, “5 h 20 min” or “12 min”; empty for no value."""
    if value is None:
        return ""
    minutes = max(int(value.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    return _("%(m)d min") % {"m": minutes}


def leads(request):
    filters = LeadFilterForm(request.GET or None, partner_search=partner_search(request))
    rows = selectors.lead_list(membership=request.membership, filters=filters.filters())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    timings = selectors.lead_timings(membership=request.membership)
    context = {
        "filters": filters,
        "page": page,
        "leads": list(page.object_list),
        "timings": timings,
        "time_to_accept": format_duration(timings.avg_time_to_accept),
        "time_to_first_activity": format_duration(timings.avg_time_to_first_activity),
        "can_manage": policies.can_distribute_leads(request.membership),
        "now": timezone.now(),
    }
    return render(request, "leads/console_list.html", context)


@policy_required(policies.can_distribute_leads)
def lead_create(request):
    form = LeadForm(request.POST or None, initial={"currency": request.tenant.default_currency})
    if request.method == "POST" and form.is_valid():
        try:
            lead = lead_services.lead_create(by=request.membership, **form.lead_fields())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if form.cleaned_data["route_now"]:
                offer = routing.lead_route(lead=lead, by=request.membership)
                _route_message(request, offer)
            else:
                messages.success(request, _("Lead saved."))
            return _to_console_lead(request, lead)
    return render(
        request, "leads/console_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _route_message(request, offer: LeadOffer | None) -> None:
    if offer is None:
        messages.warning(request, _("No partner is eligible for this lead; it is unrouted."))
    else:
        messages.success(
            request,
            _("Offered to %(partner)s by the rule “%(rule)s”.")
            % {"partner": offer.partner.name, "rule": offer.rule.name if offer.rule else "—"},
        )


def _offer_form(request, data=None) -> OfferForm:
    return OfferForm(data, partner_search=partner_search(request, active_only=True))


def _console_detail(
    request,
    lead: Lead,
    *,
    offer_form=None,
    close_form=None,
    activity_form=None,
    error: str = "",
    status: int = 200,
):
    can_manage = policies.can_distribute_leads(request.membership)
    offers = selectors.lead_offers(lead=lead)
    for offer in offers:
        offer.answer_text = format_duration(offer.answer_time)
    pending = next((o for o in offers if o.outcome == LeadOffer.Outcome.PENDING), None)
    context = {
        "lead": lead,
        "offers": offers,
        "pending": pending,
        "can_manage": can_manage,
        "can_offer": can_manage and states.lead_can_be_offered(lead),
        "can_close": can_manage and states.lead_can_be_closed(lead),
        "offer_form": offer_form or _offer_form(request),
        "close_form": close_form or CloseForm(),
        "error": error,
        "now": timezone.now(),
        "show_activities": states.lead_takes_activities(lead),
    }
    if context["show_activities"]:
        context.update(activity_panel(request, lead=lead, form=activity_form))
    return render(request, "leads/console_detail.html", context, status=status)


def lead_detail(request, lead_id: int):
    lead = selectors.lead_get(membership=request.membership, lead_id=lead_id)
    return _console_detail(request, lead)


@require_POST
@policy_required(policies.can_distribute_leads)
def lead_offer(request, lead_id: int):
    lead = selectors.lead_get(membership=request.membership, lead_id=lead_id)
    form = _offer_form(request, request.POST)
    if form.is_valid():
        try:
            offers.lead_offer(
                lead=lead, partner=form.cleaned_data["partner"], by=request.membership
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("Offered to %(partner)s.") % {"partner": form.cleaned_data["partner"].name},
            )
            return _to_console_lead(request, lead)
    return _console_detail(request, lead, offer_form=form, status=400)


@require_POST
@policy_required(policies.can_distribute_leads)
def lead_route(request, lead_id: int):
    lead = selectors.lead_get(membership=request.membership, lead_id=lead_id)
    try:
        offer = routing.lead_route(lead=lead, by=request.membership)
    except ValidationError as error:
        return _console_detail(request, lead, error=_error_text(error), status=400)
    _route_message(request, offer)
    return _to_console_lead(request, lead)


@require_POST
@policy_required(policies.can_distribute_leads)
def lead_withdraw(request, lead_id: int):
    lead = selectors.lead_get(membership=request.membership, lead_id=lead_id)
    offer = selectors.pending_offer_of(lead=lead)
    if offer is None:
        return _console_detail(
            request, lead, error=_("This lead has no pending offer."), status=400
        )
    try:
        offers.offer_withdraw(offer=offer, by=request.membership)
    except ValidationError as error:
        return _console_detail(request, lead, error=_error_text(error), status=400)
    messages.success(request, _("The offer was withdrawn."))
    return _to_console_lead(request, lead)


@require_POST
@policy_required(policies.can_distribute_leads)
def lead_close(request, lead_id: int):
    lead = selectors.lead_get(membership=request.membership, lead_id=lead_id)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            lead_services.lead_close(
                lead=lead, by=request.membership, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            return _console_detail(
                request, lead, close_form=form, error=_error_text(error), status=400
            )
        messages.success(request, _("The lead is closed."))
        return _to_console_lead(request, lead)
    return _console_detail(request, lead, close_form=form, status=400)


def _with_labels(rules) -> list:
    rules = list(rules)
    types = {key: str(label) for key, label in partner_type_choices()}
    tiers = dict(Tier.objects.values_list("pk", "name"))
    for rule in rules:
        rule.type_labels = [types.get(t, t) for t in rule.partner_types]
        rule.tier_names = [tiers.get(t, t) for t in rule.tier_ids]
    return rules


def routing_rules(request):
    rules = _with_labels(selectors.routing_rules(membership=request.membership))
    return render(
        request,
        "leads/rules.html",
        {"rules": rules, "can_manage": policies.can_manage_routing_rules(request.membership)},
    )


@policy_required(policies.can_manage_routing_rules)
def routing_rule_create(request):
    form = RoutingRuleForm(request.POST or None, type_choices=partner_type_choices())
    if request.method == "POST" and form.is_valid():
        try:
            rule = routing.routing_rule_create(by=request.membership, **form.rule_fields())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Rule “%(name)s” saved.") % {"name": rule.name})
            return redirect("console:routing_rules", tenant_slug=request.tenant.slug)
    return render(
        request,
        "leads/rule_form.html",
        {"form": form, "rule": None},
        status=400 if form.errors else 200,
    )


@policy_required(policies.can_manage_routing_rules)
def routing_rule_edit(request, rule_id: int):
    rule = selectors.routing_rule_get(membership=request.membership, rule_id=rule_id)
    form = RoutingRuleForm(
        request.POST or None,
        initial=RoutingRuleForm.initial_for(rule),
        type_choices=partner_type_choices(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            routing.routing_rule_update(rule=rule, by=request.membership, **form.rule_fields())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Rule “%(name)s” saved.") % {"name": rule.name})
            return redirect("console:routing_rules", tenant_slug=request.tenant.slug)
    return render(
        request,
        "leads/rule_form.html",
        {"form": form, "rule": rule},
        status=400 if form.errors else 200,
    )


@require_POST
@policy_required(policies.can_manage_routing_rules)
def routing_rule_deactivate(request, rule_id: int):
    rule = selectors.routing_rule_get(membership=request.membership, rule_id=rule_id)
    try:
        routing.routing_rule_deactivate(rule=rule, by=request.membership)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        rules = _with_labels(selectors.routing_rules(membership=request.membership))
        return render(
            request,
            "leads/rules.html",
            {"rules": rules, "can_manage": True, "error": _error_text(error)},
            status=400,
        )
    messages.success(request, _("Rule “%(name)s” no longer routes leads.") % {"name": rule.name})
    return redirect("console:routing_rules", tenant_slug=request.tenant.slug)


def _registration_create_url(request) -> str | None:
    """The registration form's address, when that page exists."""
    try:
        return reverse("portal:registration_create", kwargs={"tenant_slug": request.tenant.slug})
    except NoReverseMatch:
        return None


def _render_inbox(request, *, error: str = "", status: int = 200):
    box = selectors.partner_inbox(membership=request.membership)
    return render(
        request,
        "leads/portal_inbox.html",
        {
            "pending": box.pending,
            "accepted": box.accepted,
            "register_url": _registration_create_url(request),
            "now": timezone.now(),
            "error": error,
        },
        status=status,
    )


def inbox(request):
    return _render_inbox(request)


def _portal_detail(
    request, lead: Lead, *, decline_form=None, activity_form=None, error: str = "", status=200
):
    pending = selectors.pending_offer_of(lead=lead)
    if pending is not None and pending.partner_id != partner_id_of(request.membership):
        pending = None
    accepted = states.lead_takes_activities(lead)
    context = {
        "lead": lead,
        "pending": pending,
        "accepted": accepted,
        "decline_form": decline_form or DeclineForm(),
        "register_url": _registration_create_url(request)
        if states.lead_can_be_converted(lead)
        else None,
        "now": timezone.now(),
        "error": error,
    }
    if accepted:
        context.update(activity_panel(request, lead=lead, form=activity_form))
    return render(request, "leads/portal_detail.html", context, status=status)


def portal_lead(request, lead_id: int):
    lead = selectors.lead_get(membership=request.membership, lead_id=lead_id)
    return _portal_detail(request, lead)


def _portal_refusal(request, offer: LeadOffer, *, error: str = "", decline_form=None):
    """Show a refused answer on the lead's page while the partner still sees
    the lead, else on the inbox; status 400 either way."""
    lead = (
        selectors.leads_visible_to(membership=request.membership)
        .select_related("partner")
        .filter(pk=offer.lead_id)
        .first()
    )
    if lead is not None:
        return _portal_detail(request, lead, decline_form=decline_form, error=error, status=400)
    return _render_inbox(request, error=error, status=400)


@require_POST
def offer_accept(request, offer_id: int):
    offer = selectors.offer_get(membership=request.membership, offer_id=offer_id)
    try:
        offers.offer_accept(offer=offer, by=request.membership)
    except ValidationError as error:
        return _portal_refusal(request, offer, error=_error_text(error))
    messages.success(request, _("Lead accepted. It is yours to work."))
    return _to_portal_lead(request, offer.lead_id)


@require_POST
def offer_decline(request, offer_id: int):
    offer = selectors.offer_get(membership=request.membership, offer_id=offer_id)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            offers.offer_decline(
                offer=offer, by=request.membership, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("You declined the lead; the vendor has been told why."))
            return redirect("portal:leads_inbox", tenant_slug=request.tenant.slug)
    error = " ".join(str(e) for e in form.non_field_errors())
    return _portal_refusal(request, offer, error=error, decline_form=form)


def lead_activity_add(request, lead_id: int):
    lead = selectors.lead_get(membership=request.membership, lead_id=lead_id)
    if request.method != "POST":
        if request.membership.is_vendor:
            return _to_console_lead(request, lead)
        return _to_portal_lead(request, lead.pk)
    if not states.lead_takes_activities(lead):
        # Partner people reach this only for leads they accepted; vendors are told why.
        if request.membership.is_partner:
            raise Http404
    form = ActivityForm(request.POST, request.FILES)
    if add_activity(request, form, lead=lead):
        if request.membership.is_vendor:
            return _to_console_lead(request, lead)
        return _to_portal_lead(request, lead.pk)
    if request.membership.is_vendor:
        return _console_detail(
            request,
            lead,
            activity_form=form,
            error=" ".join(str(e) for e in form.non_field_errors()),
            status=400,
        )
    return _portal_detail(request, lead, activity_form=form, status=400)
