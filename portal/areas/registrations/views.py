"""Deal registration pages: the partner's register form, pipeline and registration
page with its actions; the vendor's approval queue, registration page with
conflicts and decisions, conflicts view and all registrations with CSV export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from deals import states
from deals.models import Stage
from deals.selectors import registrations as selectors
from deals.selectors.rules import deal_settings
from deals.services import registrations as services
from partners.selectors.people import partner_of
from portal.access import policy_required
from portal.exports import export_start
from portal.forms import apply_validation_error, partner_search
from portal.keyset import page_from_request
from prm import policies
from prm.once import AlreadySubmitted

from ..activities.panel import activity_panel
from .forms import (
    BulkDecisionForm,
    DecisionForm,
    ExtensionDecisionForm,
    LostForm,
    PipelineFilterForm,
    QueueFilterForm,
    ReasonForm,
    RegistrationCreateForm,
    RegistrationFilterForm,
    RegistrationForm,
    WonForm,
)

PAGE_SIZE = 25


def _newest_first(request, rows):
    return page_from_request(
        request, rows, order=("created_at", "id"), descending=True, size=PAGE_SIZE
    )


def _to_portal_detail(request, registration):
    return redirect(
        "portal:registration", tenant_slug=request.tenant.slug, registration_id=registration.pk
    )


def _to_console_detail(request, registration):
    return redirect(
        "console:registration", tenant_slug=request.tenant.slug, registration_id=registration.pk
    )


# --- partner portal -------------------------------------------------------------------


def pipeline(request):
    membership = request.membership
    form = PipelineFilterForm(request.GET)
    matching = selectors.registrations_filtered(membership=membership, filters=form.filters())
    page = _newest_first(request, selectors.registration_rows(matching))
    context = {
        "filter_form": form,
        "page": page,
        "registrations": page.rows,
        "totals": selectors.pipeline_totals(matching),
        "expiring": list(selectors.expiring_soon(membership=membership)),
        "expiring_days": selectors.EXPIRING_DAYS,
    }
    return render(request, "registrations/portal_pipeline.html", context)


def _lead_from_query(request):
    lead_id = request.GET.get("lead")
    if not lead_id:
        return None
    if not lead_id.isdigit():
        raise Http404
    return selectors.convertible_lead(membership=request.membership, lead_id=int(lead_id))


def _initial_from_lead(lead, default_currency: str) -> dict:
    return {
        "customer_name": lead.company_name,
        "customer_domain": lead.company_domain,
        "customer_country": lead.country,
        "contact_name": lead.contact_name,
        "contact_email": lead.contact_email,
        "contact_phone": lead.contact_phone,
        "estimated_value": lead.estimated_value,
        "currency": lead.currency or default_currency,
        "notes": lead.description,
    }


def registration_create(request):
    membership = request.membership
    lead = _lead_from_query(request)
    initial = {"currency": request.tenant.default_currency, "stage": Stage.QUALIFICATION}
    if lead is not None:
        initial.update(_initial_from_lead(lead, request.tenant.default_currency))
    submit = request.POST.get("action") == "submit"
    form = RegistrationCreateForm(
        request.POST or None,
        initial=initial,
        products=selectors.active_products(),
        draft=request.method == "POST" and not submit,
    )
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.registration_create(
                by=membership, **form.cleaned_data, submit=submit, lead=lead
            )
        except AlreadySubmitted as earlier:
            messages.info(request, _("This registration was already saved."))
            return redirect(
                "portal:registration",
                tenant_slug=request.tenant.slug,
                registration_id=earlier.target_id,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("The registration was submitted for approval.")
                if submit
                else _("The registration was saved as a draft."),
            )
            return _to_portal_detail(request, registration)
    context = {
        "form": form,
        "lead": lead,
        "blocked": selectors.registration_block_reason(partner=partner_of(membership)),
        "title": _("Register a deal"),
    }
    return render(
        request, "registrations/portal_form.html", context, status=400 if form.errors else 200
    )


@require_GET
def registration_check(request):
    """Whether the customer may already be claimed: yes or no, never by whom."""
    product_ids = [int(v) for v in request.GET.getlist("products") if v.isdigit()]
    found = selectors.possible_conflict(
        membership=request.membership,
        customer_name=request.GET.get("customer_name", "")[:200],
        customer_domain=request.GET.get("customer_domain", "")[:253],
        product_ids=product_ids,
    )
    return JsonResponse({"possible_conflict": found})


def _portal_detail(request, registration_id: int, *, extension_form=None, status=200):
    detail = selectors.registration_detail(
        membership=request.membership, registration_id=registration_id
    )
    registration = detail.registration
    settings = deal_settings()
    context = {
        "detail": detail,
        "registration": registration,
        "can_edit": states.is_editable(registration),
        "can_report": states.outcome_can_be_reported(registration),
        "can_request_extension": states.extension_can_be_requested(registration)
        and registration.extensions_used < settings.max_extensions,
        "max_extensions": settings.max_extensions,
        "extension_form": extension_form or ReasonForm(),
        **activity_panel(request, registration=registration),
    }
    return render(request, "registrations/portal_detail.html", context, status=status)


def registration_detail(request, registration_id: int):
    return _portal_detail(request, registration_id)


def registration_edit(request, registration_id: int):
    registration = selectors.registration_get(
        membership=request.membership, registration_id=registration_id
    )
    if not states.is_editable(registration):
        messages.warning(request, _("This registration can no longer be edited."))
        return _to_portal_detail(request, registration)
    initial = {
        name: getattr(registration, name)
        for name in RegistrationForm.base_fields
        if name != "product_ids"
    }
    initial["product_ids"] = list(registration.lines.values_list("product_id", flat=True))
    submit = request.POST.get("action") == "submit"
    # Only a draft may be saved incomplete; the service keeps a registration the
    # vendor has seen complete.
    draft = request.method == "POST" and not submit
    form = RegistrationForm(
        request.POST or None, initial=initial, products=selectors.active_products(), draft=draft
    )
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.registration_update(
                registration=registration, by=request.membership, **form.cleaned_data, draft=draft
            )
            if submit:
                services.registration_submit(registration=registration, by=request.membership)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("The registration was submitted for approval.")
                if submit
                else _("Changes saved."),
            )
            return _to_portal_detail(request, registration)
    context = {
        "form": form,
        "registration": registration,
        "blocked": None,
        "title": _("Edit %(customer)s") % {"customer": registration.customer_name},
    }
    return render(
        request, "registrations/portal_form.html", context, status=400 if form.errors else 200
    )


@require_POST
def registration_submit(request, registration_id: int):
    registration = selectors.registration_get(
        membership=request.membership, registration_id=registration_id
    )
    try:
        services.registration_submit(registration=registration, by=request.membership)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _to_portal_detail(request, registration)
    messages.success(request, _("The registration was submitted for approval."))
    return _to_portal_detail(request, registration)


@require_POST
def registration_extension(request, registration_id: int):
    registration = selectors.registration_get(
        membership=request.membership, registration_id=registration_id
    )
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.extension_request(
                registration=registration,
                by=request.membership,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Your extension request was sent."))
            return _to_portal_detail(request, registration)
    return _portal_detail(request, registration_id, extension_form=form, status=400)


def _outcome(request, registration_id: int, *, won: bool):
    registration = selectors.registration_get(
        membership=request.membership, registration_id=registration_id
    )
    products = list(selectors.registration_products(registration=registration))
    if won:
        initial = {"won_amount": registration.estimated_value, "closed_on": timezone.localdate()}
        form = WonForm(request.POST or None, initial=initial, products=products)
    else:
        form = LostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if won:
                services.registration_mark_won(
                    registration=registration,
                    by=request.membership,
                    won_amount=data["won_amount"],
                    closed_on=data["closed_on"],
                    lines=form.lines(),
                )
            else:
                services.registration_mark_lost(
                    registration=registration,
                    by=request.membership,
                    reason=data["reason"],
                    competitor=data["competitor"],
                )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Reported as won.") if won else _("Reported as lost."))
            return _to_portal_detail(request, registration)
    context = {"form": form, "registration": registration, "won": won}
    return render(
        request, "registrations/portal_outcome.html", context, status=400 if form.errors else 200
    )


def registration_won(request, registration_id: int):
    return _outcome(request, registration_id, won=True)


def registration_lost(request, registration_id: int):
    return _outcome(request, registration_id, won=False)


# --- vendor console ---------------------------------------------------------------------


def approval_queue(request):
    membership = request.membership
    can_decide = policies.can_decide_registrations(membership)
    filter_form = QueueFilterForm(request.GET, partner_search=partner_search(request))
    bulk_form = BulkDecisionForm(request.POST or None)
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied
        if bulk_form.is_valid():
            data = bulk_form.cleaned_data
            try:
                results = services.registrations_bulk_decide(
                    ids=data["ids"],
                    by=membership,
                    approve=data["decision"] == "approve",
                    reason=data["reason"],
                )
            except ValidationError as error:
                apply_validation_error(bulk_form, error)
            else:
                _bulk_messages(request, results, approve=data["decision"] == "approve")
                return redirect(request.get_full_path())
    page = page_from_request(
        request,
        selectors.approval_queue(membership=membership, filters=filter_form.filters()),
        order=("submitted_at", "id"),
        descending=False,
        size=PAGE_SIZE,
    )
    settings = deal_settings()
    now = timezone.now()
    rows = page.rows
    for row in rows:
        row.sla_hours, row.sla_overdue = selectors.sla_of(
            row, now=now, sla_hours=settings.approval_sla_hours
        )
    context = {
        "filter_form": filter_form,
        "bulk_form": bulk_form,
        "page": page,
        "registrations": rows,
        "sla_hours": settings.approval_sla_hours,
        "manager_decides": settings.engagement_rule == settings.Rule.MANAGER_DECIDES,
        "can_decide": can_decide,
    }
    return render(
        request,
        "registrations/console_queue.html",
        context,
        status=400 if bulk_form.errors else 200,
    )


BULK_NAMES_SHOWN = 10


def _named(result) -> str:
    return _("%(customer)s (%(partner)s)") % {
        "customer": result.customer,
        "partner": result.partner,
    }


def _bulk_messages(request, results, *, approve: bool) -> None:
    """One line for what was done, naming the customers (and partners), and one
    line per registration that was not, with why."""
    done = [r for r in results if r.ok]
    if done:
        if approve:
            text = ngettext(
                "%(n)d registration approved: %(names)s.",
                "%(n)d registrations approved: %(names)s.",
                len(done),
            )
        else:
            text = ngettext(
                "%(n)d registration rejected: %(names)s.",
                "%(n)d registrations rejected: %(names)s.",
                len(done),
            )
        names = ", ".join(_named(r) for r in done[:BULK_NAMES_SHOWN])
        more = len(done) - BULK_NAMES_SHOWN
        if more > 0:
            names += " " + ngettext("and %(n)d more", "and %(n)d more", more) % {"n": more}
        messages.success(request, text % {"n": len(done), "names": names})
    missing = [r for r in results if not r.ok and not r.customer]
    for result in results:
        if result.ok or not result.customer:
            continue
        if approve:
            text = _("%(name)s: not approved — %(message)s")
        else:
            text = _("%(name)s: not rejected — %(message)s")
        messages.error(request, text % {"name": _named(result), "message": result.message})
    if missing:
        messages.error(
            request,
            ngettext(
                "%(n)d selected registration no longer exists.",
                "%(n)d selected registrations no longer exist.",
                len(missing),
            )
            % {"n": len(missing)},
        )


def _console_detail(
    request, registration_id, *, decision_form=None, extension_form=None, status=200
):
    detail = selectors.registration_detail(
        membership=request.membership, registration_id=registration_id
    )
    registration = detail.registration
    settings = deal_settings()
    hours, overdue = selectors.sla_of(registration, sla_hours=settings.approval_sla_hours)
    context = {
        "detail": detail,
        "registration": registration,
        "can_decide": policies.can_decide_registrations(request.membership),
        "decision_open": states.is_awaiting_decision(registration),
        "extension_open": states.extension_is_open(registration),
        "decision_form": decision_form or DecisionForm(),
        "extension_form": extension_form or ExtensionDecisionForm(),
        "sla_hours": hours,
        "sla_running": states.sla_is_running(registration),
        "sla_overdue": overdue and states.sla_is_running(registration),
        "settings": settings,
        **activity_panel(request, registration=registration),
    }
    return render(request, "registrations/console_detail.html", context, status=status)


def console_registration(request, registration_id: int):
    return _console_detail(request, registration_id)


DECISIONS = {
    "approve": services.registration_approve,
    "reject": services.registration_reject,
    "more_info": services.registration_request_info,
}


@require_POST
@policy_required(policies.can_decide_registrations)
def registration_decide(request, registration_id: int):
    registration = selectors.registration_get(
        membership=request.membership, registration_id=registration_id
    )
    form = DecisionForm(request.POST)
    if form.is_valid():
        decision = form.cleaned_data["decision"]
        try:
            DECISIONS[decision](
                registration=registration,
                by=request.membership,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Decision recorded."))
            return _to_console_detail(request, registration)
    return _console_detail(request, registration_id, decision_form=form, status=400)


@require_POST
@policy_required(policies.can_decide_registrations)
def registration_extension_decide(request, registration_id: int):
    registration = selectors.registration_get(
        membership=request.membership, registration_id=registration_id
    )
    form = ExtensionDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.extension_decide(
                registration=registration,
                by=request.membership,
                grant=form.cleaned_data["grant"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Extension decision recorded."))
            return _to_console_detail(request, registration)
    return _console_detail(request, registration_id, extension_form=form, status=400)


def conflicts(request):
    page = page_from_request(
        request,
        selectors.conflict_list(membership=request.membership),
        order=("found_at", "id"),
        descending=True,
        size=PAGE_SIZE,
    )
    return render(
        request, "registrations/console_conflicts.html", {"page": page, "conflicts": page.rows}
    )


def _all_filter(request) -> RegistrationFilterForm:
    return RegistrationFilterForm(
        request.GET,
        partner_search=partner_search(request),
        products=selectors.active_products(),
    )


def registrations(request):
    form = _all_filter(request)
    matching = selectors.registrations_filtered(
        membership=request.membership, filters=form.filters()
    )
    page = _newest_first(request, selectors.registration_rows(matching))
    context = {
        "filter_form": form,
        "page": page,
        "registrations": page.rows,
        "totals": selectors.pipeline_totals(matching),
    }
    return render(request, "registrations/console_list.html", context)


@require_POST
def registrations_export(request):
    """The filtered list (the query string) as a CSV file, written by a worker."""
    return export_start(request, kind="registrations", filters=_all_filter(request).filters())
