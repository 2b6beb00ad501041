"""Forms of the ideas box."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import Idea
from partners.selectors.ideas import IdeaFilters
from portal.forms import OnceForm, PartnerSearch, partner_filter_field
from prm.text import LONG_TEXT


class IdeaForm(OnceForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        max_length=LONG_TEXT, label=_("Details"), widget=forms.Textarea(attrs={"rows": 5})
    )


class IdeaResponseForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Idea.Status.choices)
    vendor_response = forms.CharField(
        max_length=LONG_TEXT,
        label=_("Answer to the partner"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class IdeaFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any"))] + list(Idea.Status.choices), required=False
    )
    partner = partner_filter_field()

    def __init__(self, *args, partner_search: PartnerSearch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].search = partner_search

    def filters(self) -> IdeaFilters:
        """Values that do not validate are left out; the other filters apply."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        partner = data.get("partner")
        return IdeaFilters(
            status=data.get("status", ""), partner_id=partner.pk if partner else None
        )
