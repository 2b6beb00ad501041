"""The vendor's partner directory, the partner 360 page, CSV import and export,
custom partner types and KPIs; the partner's own profile in the portal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from deals.selectors.registrations import partner_deals
from partners.models import PartnerStatus, PartnerType
from partners.selectors import organisations as org_selectors
from partners.selectors.directory import partner_countries, partner_directory_filtered
from partners.selectors.organisations import (
    partner_get,
    partner_overview,
)
from partners.selectors.people import partner_id_of
from partners.selectors.tiers import tier_list
from partners.services import directory as services
from partners.services.imports import MAX_ROWS, TEMPLATE_COLUMNS, partners_import_csv
from partners.services.organisations import (
    partner_change_status,
    partner_create,
    partner_profile_update,
)
from partners.states import status_moves
from partners.types import partner_type_choices
from portal.access import policy_required
from portal.exports import export_start
from portal.forms import apply_validation_error
from portal.imports import CsvImportPage, import_views
from prm import policies
from prm.selectors import vendor_staff

from .forms import (
    DirectoryFilterForm,
    KeyNameForm,
    KpiValuesForm,
    PartnerCreateForm,
    PartnerForm,
    PartnerProfileForm,
    StatusChangeForm,
    plain_number,
)

PAGE_SIZE = 25


def _staff():
    """Active vendor staff: who may be an account manager."""
    return vendor_staff()


def _type_labels() -> dict[str, str]:
    return {key: str(label) for key, label in partner_type_choices()}


def _to_partner(request, partner):
    return redirect(
        "console:partner_detail", tenant_slug=request.tenant.slug, partner_id=partner.pk
    )


# --- directory --------------------------------------------------------------------


def _directory_form(request) -> DirectoryFilterForm:
    return DirectoryFilterForm(
        request.GET or None,
        type_choices=partner_type_choices(),
        tiers=tier_list(),
        countries=partner_countries(membership=request.membership),
        staff=vendor_staff(including_former=True),
    )


def partners(request):
    form = _directory_form(request)
    rows = partner_directory_filtered(membership=request.membership, filters=form.filters())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(form.type_choices)
    rows = list(page.object_list)
    for partner in rows:
        partner.type_label = labels.get(partner.partner_type, partner.partner_type)
    context = {
        "filter": form,
        "page": page,
        "partners": rows,
        "can_manage": policies.can_manage_partners(request.membership),
    }
    return render(request, "directory/partners.html", context)


@require_GET
def partner_pick(request):
    """The partner picker's suggestions (``portal.widgets.PartnerPicker``): at most
    twenty partners of the tenant whose name or legal name contains ``q``, by
    name; ``active=1`` keeps to active partners.  Odd input finds less, never fails."""
    results = org_selectors.partners_matching(
        membership=request.membership,
        text=request.GET.get("q", "")[: org_selectors.PICK_TEXT],
        active_only=request.GET.get("active") == "1",
    )
    return JsonResponse({"results": results})


@require_POST
def partners_export(request):
    """The directory's current (filtered, sorted) result as a CSV file, written by a worker."""
    return export_start(request, kind="partners", filters=_directory_form(request).filters())


# --- creating and editing -----------------------------------------------------------


@policy_required(policies.can_manage_partners)
def partner_create_view(request):
    form = PartnerCreateForm(
        request.POST or None, type_choices=partner_type_choices(), staff=_staff()
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            partner = partner_create(by=request.membership, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": partner.name})
            return _to_partner(request, partner)
    return render(
        request,
        "directory/partner_form.html",
        {"form": form, "title": _("New partner")},
        status=400 if form.errors else 200,
    )


@policy_required(policies.can_manage_partners)
def partner_edit(request, partner_id: int):
    partner = partner_get(membership=request.membership, partner_id=partner_id)
    domains = list(partner.domains.order_by("domain").values_list("domain", flat=True))
    form = PartnerForm(
        request.POST or None,
        initial=PartnerForm.initial_for(partner, domains),
        type_choices=partner_type_choices(),
        staff=_staff(),
    )
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data if name != "domains"}
        try:
            services.partner_edit(
                partner=partner,
                by=request.membership,
                domains=form.cleaned_data["domains"],
                **changed,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return _to_partner(request, partner)
    return render(
        request,
        "directory/partner_form.html",
        {"form": form, "partner": partner, "title": _("Edit %(name)s") % {"name": partner.name}},
        status=400 if form.errors else 200,
    )


@policy_required(policies.can_manage_partners)
def partner_status(request, partner_id: int):
    partner = partner_get(membership=request.membership, partner_id=partner_id)
    allowed = status_moves(partner)
    form = StatusChangeForm(request.POST or None, allowed=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            partner_change_status(
                partner=partner,
                to_status=form.cleaned_data["to_status"],
                reason=form.cleaned_data["reason"],
                by=request.membership,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is now %(status)s.")
                % {"name": partner.name, "status": PartnerStatus(partner.status).label},
            )
            return _to_partner(request, partner)
    return render(
        request,
        "directory/partner_status.html",
        {"form": form, "partner": partner, "allowed": allowed},
        status=400 if form.errors else 200,
    )


@require_POST
@policy_required(policies.can_manage_partners)
def partner_kpis(request, partner_id: int):
    overview = partner_overview(membership=request.membership, partner_id=partner_id)
    form = KpiValuesForm(request.POST, kpis=overview.kpis)
    if form.is_valid():
        services.partner_kpis_set(
            partner=overview.partner, values=form.values(), by=request.membership
        )
        messages.success(request, _("KPI values saved."))
        return _to_partner(request, overview.partner)
    return _render_detail(request, overview, kpi_form=form, status=400)


# --- partner 360 ------------------------------------------------------------------


def partner_detail(request, partner_id: int):
    overview = partner_overview(membership=request.membership, partner_id=partner_id)
    return _render_detail(request, overview)


def _render_detail(request, overview, *, kpi_form=None, status=200):
    can_manage = policies.can_manage_partners(request.membership)
    partner = overview.partner
    allowed = status_moves(partner)
    for kpi in overview.kpis:
        kpi.display = plain_number(kpi.value)
    context = {
        "overview": overview,
        "partner": partner,
        "team": overview.team,
        "type_label": _type_labels().get(partner.partner_type, partner.partner_type),
        "can_manage": can_manage,
        "status_form": StatusChangeForm(allowed=allowed) if can_manage and allowed else None,
        "kpi_form": kpi_form or (KpiValuesForm(kpis=overview.kpis) if can_manage else None),
        "deals": partner_deals(membership=request.membership, partner=partner),
    }
    return render(request, "directory/partner_detail.html", context, status=status)


# --- CSV import --------------------------------------------------------------------


def _imported(outcome) -> str:
    return ngettext("%(n)d partner imported.", "%(n)d partners imported.", outcome.created) % {
        "n": outcome.created
    }


IMPORT = CsvImportPage(
    key="partners",
    columns=tuple(TEMPLATE_COLUMNS),
    max_rows=MAX_ROWS,
    run=partners_import_csv,
    success=_imported,
    done="console:partners",
    page_template="directory/import.html",
    template_url="console:partners_import_template",
    report_url="console:partners_import_report",
    template_filename="partners-template.csv",
    report_filename="partner-import-problems.csv",
)


IMPORT_VIEWS = import_views(IMPORT)
partners_import = IMPORT_VIEWS.upload
partners_import_template = IMPORT_VIEWS.template
partners_import_report = IMPORT_VIEWS.report


# --- custom partner types and KPIs ------------------------------------------------


@policy_required(policies.can_manage_partners)
def partner_types(request):
    form = KeyNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.custom_partner_type_create(by=request.membership, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Partner type added."))
            return redirect("console:partner_types", tenant_slug=request.tenant.slug)
    context = {
        "form": form,
        "builtin": PartnerType.choices,
        "types": org_selectors.custom_partner_types(),
    }
    return render(
        request, "directory/partner_types.html", context, status=400 if form.errors else 200
    )


@require_POST
@policy_required(policies.can_manage_partners)
def partner_type_delete(request, type_id: int):
    partner_type = org_selectors.custom_partner_type_get(type_id=type_id)
    try:
        services.custom_partner_type_delete(partner_type=partner_type, by=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Partner type removed."))
    return redirect("console:partner_types", tenant_slug=request.tenant.slug)


@policy_required(policies.can_manage_partners)
def kpis(request):
    form = KeyNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.kpi_definition_create(by=request.membership, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("KPI added."))
            return redirect("console:kpis", tenant_slug=request.tenant.slug)
    context = {"form": form, "kpis": org_selectors.kpi_definitions()}
    return render(request, "directory/kpis.html", context, status=400 if form.errors else 200)


@require_POST
@policy_required(policies.can_manage_partners)
def kpi_delete(request, kpi_id: int):
    kpi = org_selectors.kpi_definition_get(kpi_id=kpi_id)
    try:
        services.kpi_definition_delete(kpi=kpi, by=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("KPI removed."))
    return redirect("console:kpis", tenant_slug=request.tenant.slug)


# --- portal: the partner's own profile ---------------------------------------------


def profile(request):
    """A partner's admin edits the organisation's profile; reps read it."""
    membership = request.membership
    partner = partner_get(membership=membership, partner_id=partner_id_of(membership))
    can_edit = policies.can_edit_partner_profile(membership)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    form = PartnerProfileForm(
        request.POST if request.method == "POST" else None,
        initial=PartnerProfileForm.initial_for(partner),
    )
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changed:
                partner_profile_update(partner=partner, by=request.membership, **changed)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("portal:profile", tenant_slug=request.tenant.slug)
    context = {
        "partner": partner,
        "form": form if can_edit else None,
        "type_label": _type_labels().get(partner.partner_type, partner.partner_type),
    }
    return render(request, "directory/profile.html", context, status=400 if form.errors else 200)
