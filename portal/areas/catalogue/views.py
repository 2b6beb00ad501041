"""The vendor's product catalogue in the console: vendor admins and channel
managers change it, finance reads it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deals.selectors import catalogue as selectors
from deals.services import catalogue as services
from prm import policies

from ...access import policy_required
from ...forms import apply_validation_error
from .forms import ProductForm


def _status(form) -> int:
    return 400 if form.errors else 200


def products(request):
    context = {
        "products": selectors.product_list(membership=request.membership),
        "can_manage": policies.can_manage_catalogue(request.membership),
    }
    return render(request, "catalogue/products.html", context)


@policy_required(policies.can_manage_catalogue)
def product_create(request):
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(by=request.membership, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": product.name})
            return redirect("console:products", tenant_slug=request.tenant.slug)
    context = {"form": form, "title": _("New product")}
    return render(request, "catalogue/product_form.html", context, status=_status(form))


@policy_required(policies.can_manage_catalogue)
def product_edit(request, product_id: int):
    product = selectors.product_get(membership=request.membership, product_id=product_id)
    form = ProductForm(
        request.POST or None, initial=model_to_dict(product, fields=ProductForm.Meta.fields)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(product=product, by=request.membership, **form.cleaned_data)
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
    return render(request, "catalogue/product_form.html", context, status=_status(form))


def _set_active(request, product_id: int, *, active: bool):
    product = selectors.product_get(membership=request.membership, product_id=product_id)
    services.product_set_active(product=product, by=request.membership, active=active)
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
@policy_required(policies.can_manage_catalogue)
def product_deactivate(request, product_id: int):
    return _set_active(request, product_id, active=False)


@require_POST
@policy_required(policies.can_manage_catalogue)
def product_reactivate(request, product_id: int):
    return _set_active(request, product_id, active=True)
