"""The vendor's rules of engagement in the console: vendor admins and channel
managers change them, finance reads them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from deals.selectors.rules import deal_settings
from deals.services import rules as services
from prm import policies

from ...forms import apply_validation_error
from .forms import DealSettingsForm


def _status(form) -> int:
    return 400 if form.errors else 200


def deal_settings_view(request):
    current = deal_settings()
    form = DealSettingsForm(
        request.POST or None, initial=model_to_dict(current, fields=DealSettingsForm.Meta.fields)
    )
    if request.method == "POST":
        if not policies.can_change_deal_rules(request.membership):
            raise PermissionDenied
        if form.is_valid():
            changed = {name: form.cleaned_data[name] for name in form.changed_data}
            try:
                services.deal_settings_update(by=request.membership, **changed)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Deal settings saved."))
                return redirect("console:deal_settings", tenant_slug=request.tenant.slug)
    context = {
        "form": form,
        "settings": current,
        "can_manage": policies.can_change_deal_rules(request.membership),
    }
    return render(request, "deal_rules/settings.html", context, status=_status(form))
