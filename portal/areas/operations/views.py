"""Deal operations in the console: the product catalogue, deal settings, the
vendor's direct accounts with CSV import, won-order import and won revenue.

Vendor admins and channel managers change things; finance reads."""

from __future__ import annotations

import csv
import secrets

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deals.selectors import operations as selectors
from deals.services import catalogue as services
from deals.services import imports
from deals.services.core import deal_settings
from prm.roles import Role

from ...access import roles_required
from ...forms import apply_validation_error
from .forms import CsvUploadForm, DealSettingsForm, ProductForm, SearchForm

MANAGERS = (Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER)
PAGE_SIZE = 50
REPORT_SECONDS = 3600


def _can_manage(request) -> bool:
    return request.membership.role in MANAGERS


def _status(form) -> int:
    return 400 if form.errors else 200


# --- products -------------------------------------------------------------------------


def products(request):
    context = {
        "products": selectors.product_list(membership=request.membership),
        "can_manage": _can_manage(request),
    }
    return render(request, "operations/products.html", context)


@roles_required(*MANAGERS)
def product_create(request):
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": product.name})
            return redirect("console:products", tenant_slug=request.tenant.slug)
    context = {"form": form, "title": _("New product")}
    return render(request, "operations/product_form.html", context, status=_status(form))


@roles_required(*MANAGERS)
def product_edit(request, product_id: int):
    product = selectors.product_get(membership=request.membership, product_id=product_id)
    form = ProductForm(
        request.POST or None, initial=model_to_dict(product, fields=ProductForm.Meta.fields)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(product=product, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("console:products", tenant_slug=request.tenant.slug)
    context = {
        "form": form,
        "product": product,
        "title": _("Edit %(name)s") % {"name": product.name},
    }
    return render(request, "operations/product_form.html", context, status=_status(form))


def _set_active(request, product_id: int, *, active: bool):
    product = selectors.product_get(membership=request.membership, product_id=product_id)
    services.product_set_active(product=product, by=request.user, active=active)
    if active:
        messages.success(request, _("%(name)s is available again.") % {"name": product.name})
    else:
        messages.success(
            request,
            _("%(name)s was deactivated; it can no longer be registered or imported.")
            % {"name": product.name},
        )
    return redirect("console:products", tenant_slug=request.tenant.slug)


@require_POST
@roles_required(*MANAGERS)
def product_deactivate(request, product_id: int):
    return _set_active(request, product_id, active=False)


@require_POST
@roles_required(*MANAGERS)
def product_reactivate(request, product_id: int):
    return _set_active(request, product_id, active=True)


# --- deal settings -------------------------------------------------------------------


def deal_settings_view(request):
    current = deal_settings()
    form = DealSettingsForm(
        request.POST or None, initial=model_to_dict(current, fields=DealSettingsForm.Meta.fields)
    )
    if request.method == "POST":
        if not _can_manage(request):
            raise PermissionDenied
        if form.is_valid():
            changed = {name: form.cleaned_data[name] for name in form.changed_data}
            try:
                services.deal_settings_update(by=request.user, **changed)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Deal settings saved."))
                return redirect("console:deal_settings", tenant_slug=request.tenant.slug)
    context = {"form": form, "settings": current, "can_manage": _can_manage(request)}
    return render(request, "operations/deal_settings.html", context, status=_status(form))


# --- direct accounts -----------------------------------------------------------------


def direct_accounts(request):
    search = SearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    found = selectors.direct_account_search(membership=request.membership, query=query)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "search": search,
        "query": query,
        "page": page,
        "accounts": list(page.object_list),
        "can_manage": _can_manage(request),
    }
    return render(request, "operations/direct_accounts.html", context)


@require_POST
@roles_required(*MANAGERS)
def direct_account_delete(request, account_id: int):
    account = selectors.direct_account_get(membership=request.membership, account_id=account_id)
    services.direct_account_delete(account=account, by=request.user)
    messages.success(
        request, _("%(name)s was removed from your accounts.") % {"name": account.name}
    )
    return redirect("console:direct_accounts", tenant_slug=request.tenant.slug)


# --- CSV imports -----------------------------------------------------------------------

IMPORTS = {
    "accounts": {
        "columns": imports.ACCOUNT_COLUMNS,
        "run": imports.direct_accounts_import_csv,
        "template": "direct-accounts-template.csv",
        "back": "console:direct_accounts",
    },
    "orders": {
        "columns": imports.ORDER_COLUMNS,
        "run": imports.orders_import_csv,
        "template": "won-orders-template.csv",
        "back": "console:revenue",
    },
}


def _report_key(request, token: str) -> str:
    return f"operations:import-report:{request.tenant.pk}:{request.user.pk}:{token}"


def _import(request, kind: str):
    spec = IMPORTS[kind]
    form = CsvUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    context = {"form": form, "kind": kind, "columns": spec["columns"], "max_rows": imports.MAX_ROWS}
    if request.method == "POST" and form.is_valid():
        outcome = spec["run"](file=form.cleaned_data["file"], by=request.user)
        if outcome.ok:
            messages.success(request, _success_message(kind, outcome))
            return redirect(spec["back"], tenant_slug=request.tenant.slug)
        token = secrets.token_urlsafe(16)
        cache.set(
            _report_key(request, token),
            [(p.row, p.column, p.message) for p in outcome.problems],
            REPORT_SECONDS,
        )
        context.update(problems=outcome.problems, report=token)
        return render(request, "operations/import.html", context, status=400)
    return render(request, "operations/import.html", context, status=_status(form))


def _success_message(kind: str, outcome) -> str:
    if kind == "accounts":
        return _("%(created)d account(s) added, %(updated)d updated.") % {
            "created": outcome.created,
            "updated": outcome.updated,
        }
    return _("%(lines)d order line(s) imported; %(won)d registration(s) marked won.") % {
        "lines": outcome.created,
        "won": outcome.won,
    }


@roles_required(*MANAGERS)
def direct_accounts_import(request):
    return _import(request, "accounts")


@roles_required(*MANAGERS)
def orders_import(request):
    return _import(request, "orders")


def _template(kind: str) -> HttpResponse:
    spec = IMPORTS[kind]
    response = HttpResponse(
        imports.template_csv(spec["columns"]), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{spec["template"]}"'
    return response


@roles_required(*MANAGERS)
def direct_accounts_template(request):
    return _template("accounts")


@roles_required(*MANAGERS)
def orders_template(request):
    return _template("orders")


@roles_required(*MANAGERS)
def import_report(request):
    """The problems of the user's last failed import here, as CSV (kept for an
    hour, readable only by the same user in the same tenant)."""
    problems = cache.get(_report_key(request, request.GET.get("report", "")))
    if problems is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="import-problems.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("row"), _("column"), _("problem")])
    for row, column, message in problems:
        writer.writerow([row or "", column, message])
    return response


# --- won revenue -----------------------------------------------------------------------


def revenue(request):
    lines = selectors.revenue_lines_visible_to(membership=request.membership)
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "lines": list(page.object_list), "can_manage": _can_manage(request)}
    return render(request, "operations/revenue.html", context)
