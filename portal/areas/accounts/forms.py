"""Forms of the direct accounts list."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from deals.selectors.accounts import AccountFilters


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)

    def filters(self) -> AccountFilters:
        self.is_valid()
        return AccountFilters(text=getattr(self, "cleaned_data", {}).get("q", ""))
