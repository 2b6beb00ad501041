"""Forms of deal operations: products, deal settings, CSV uploads."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from deals.models import DealSettings, Product
from deals.services.catalogue import PRODUCT_FIELDS, SETTINGS_FIELDS


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = list(PRODUCT_FIELDS)
        help_texts = {
            "code": _("Unique in your catalogue; partners and order imports use it."),
            "product_line": _("Groups products in reports and revenue lines."),
        }

    def validate_unique(self) -> None:
        """Uniqueness is the service's to check (case-insensitively)."""


class DealSettingsForm(forms.ModelForm):
    class Meta:
        model = DealSettings
        fields = list(SETTINGS_FIELDS)
        help_texts = {
            "reminder_days": _("0 turns reminders off."),
            "name_similarity": _(
                "Between 0.1 and 1: how alike two customer names must be to count as the "
                "same customer (1 = identical after normalising)."
            ),
            "max_extensions": _("How often a partner may extend an approved registration."),
        }

    def validate_unique(self) -> None:
        """One row per tenant; the service saves the current tenant's row."""


class CsvUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), allow_empty_file=True)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
