"""Forms of the product catalogue."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from deals.models import Product
from deals.services.catalogue import PRODUCT_FIELDS


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
