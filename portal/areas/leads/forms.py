"""Forms of lead distribution; the services validate the business rules."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from deals.models import Lead
from deals.selectors.leads import LeadFilters
from partners.models import Tier
from portal.forms import (
    CountryField,
    PartnerField,
    PartnerSearch,
    explain_empty,
    partner_filter_field,
)
from prm.text import LONG_TEXT, REASON_TEXT

_SPLIT = re.compile(r"[,;\n]+")


class CommaListField(forms.CharField):
    """Several short values typed as one comma-separated line."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", LONG_TEXT)
        kwargs.setdefault("help_text", _("Separate with commas; leave empty to match any."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def clean(self, value) -> list[str]:
        text = super().clean(value)
        return list(dict.fromkeys(p.strip() for p in _SPLIT.split(text or "") if p.strip()))


class LeadForm(forms.Form):
    company_name = forms.CharField(label=_("Company"), max_length=200)
    company_domain = forms.CharField(label=_("Domain"), max_length=253, required=False)
    country = CountryField(label=_("Country"))
    industry = forms.CharField(label=_("Industry"), max_length=60, required=False)
    contact_name = forms.CharField(label=_("Contact name"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    description = forms.CharField(
        max_length=LONG_TEXT, label=_("Description"), widget=forms.Textarea, required=False
    )
    estimated_value = forms.DecimalField(
        label=_("Estimated value"), max_digits=18, decimal_places=2, min_value=0, required=False
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    source = forms.CharField(label=_("Source"), max_length=100, required=False)
    route_now = forms.BooleanField(
        label=_("Route it to a partner now, by the routing rules"), required=False
    )

    def lead_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "route_now"}


class LeadFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any"))] + list(Lead.Status.choices), required=False
    )
    partner = partner_filter_field()
    country = CountryField(label=_("Country"), required=False, help_text="")

    def __init__(self, *args, partner_search: PartnerSearch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].search = partner_search

    def filters(self) -> LeadFilters:
        """Values that do not validate are left out; the other filters apply."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        partner = data.get("partner")
        return LeadFilters(
            status=data.get("status", ""),
            partner_id=partner.pk if partner else None,
            country=data.get("country", ""),
        )


class OfferForm(forms.Form):
    partner = PartnerField(label=_("Partner"))

    def __init__(self, *args, partner_search: PartnerSearch, **kwargs):
        """``partner_search`` should keep to active partners: leads go to those only."""
        super().__init__(*args, **kwargs)
        self.fields["partner"].search = partner_search


class DeclineForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_TEXT,
        label=_("Why do you decline?"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CloseForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_TEXT,
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class RoutingRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    priority = forms.IntegerField(
        label=_("Priority"), min_value=0, initial=100, help_text=_("Lower runs first.")
    )
    countries = CommaListField(label=_("Lead countries"))
    industries = CommaListField(label=_("Lead industries"))
    partner_types = forms.MultipleChoiceField(
        label=_("Partner types"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: any type."),
    )
    tiers = forms.ModelMultipleChoiceField(
        label=_("Tiers"),
        queryset=Tier.all_tenants.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: any tier."),
    )
    max_open_leads = forms.IntegerField(
        label=_("At most this many open leads per partner"), min_value=1, required=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, type_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_types"].choices = type_choices
        self.fields["tiers"].queryset = Tier.objects.order_by("rank")
        explain_empty(
            self.fields["tiers"], _("No tiers are set up yet, so the rule takes any tier.")
        )

    @staticmethod
    def initial_for(rule) -> dict:
        return {
            "name": rule.name,
            "priority": rule.priority,
            "countries": rule.countries,
            "industries": rule.industries,
            "partner_types": rule.partner_types,
            "tiers": rule.tier_ids,
            "max_open_leads": rule.max_open_leads,
            "is_active": rule.is_active,
        }

    def rule_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["tier_ids"] = [tier.pk for tier in data.pop("tiers")]
        return data
