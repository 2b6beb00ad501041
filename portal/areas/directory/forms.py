"""Forms of the partner directory, the partner 360 page and the partner profile."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from partners.domains import normalise_domain
from partners.models import KpiDefinition, Partner, PartnerStatus, Segment
from partners.selectors.directory import NOBODY, PartnerFilters
from portal.countries import country_name
from portal.forms import CountryField
from prm.models import User
from prm.text import LONG_TEXT, REASON_TEXT

_LIST_SPLIT = re.compile(r"[,;\n]+")
_DOMAIN_SPLIT = re.compile(r"[,;\s]+")


def _split(value: str, pattern: re.Pattern) -> list[str]:
    seen: dict[str, None] = {}
    for part in pattern.split(value or ""):
        part = part.strip()
        if part:
            seen.setdefault(part, None)
    return list(seen)


def _joined(values) -> str:
    return ", ".join(values or [])


class ListField(forms.CharField):
    """Several short values typed as one comma-separated line."""

    def __init__(self, *, item_max_length: int = 60, **kwargs):
        self.item_max_length = item_max_length
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", LONG_TEXT)
        kwargs.setdefault("help_text", _("Separate with commas."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return _joined(value) if isinstance(value, list) else value

    def clean(self, value) -> list[str]:
        items = _split(super().clean(value), _LIST_SPLIT)
        too_long = [item for item in items if len(item) > self.item_max_length]
        if too_long:
            raise ValidationError(
                _("Keep each value under %(n)d characters: %(values)s")
                % {"n": self.item_max_length + 1, "values": ", ".join(too_long)}
            )
        return items


class DomainsField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", LONG_TEXT)
        kwargs.setdefault("help_text", _("Web and e-mail domains, separated by commas or spaces."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return _joined(value) if isinstance(value, list) else value

    def clean(self, value) -> list[str]:
        domains, problems = [], []
        for part in _split(super().clean(value), _DOMAIN_SPLIT):
            try:
                domain = normalise_domain(part)
            except ValidationError as error:
                problems.extend(error.messages)
            else:
                if domain not in domains:
                    domains.append(domain)
        if problems:
            raise ValidationError(problems)
        return domains


class PartnerForm(forms.Form):
    """The program fields a vendor keeps for a partner."""

    name = forms.CharField(label=_("Name"), max_length=200)
    legal_name = forms.CharField(label=_("Legal name"), max_length=200, required=False)
    website = forms.URLField(
        label=_("Website"), max_length=200, required=False, assume_scheme="https"
    )
    domains = DomainsField(label=_("Domains"))
    country = CountryField(label=_("Country"), required=False)
    regions = ListField(label=_("Regions / territories served"))
    industries = ListField(label=_("Industries"))
    partner_type = forms.ChoiceField(label=_("Partner type"))
    segment = forms.ChoiceField(
        label=_("Segment"), choices=[("", "—"), *Segment.choices], required=False
    )
    account_manager = forms.ModelChoiceField(
        label=_("Account manager"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, type_choices, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_type"].choices = type_choices
        self.fields["account_manager"].queryset = staff

    @classmethod
    def initial_for(cls, partner: Partner, domains: list[str]) -> dict:
        return {
            "name": partner.name,
            "legal_name": partner.legal_name,
            "website": partner.website,
            "domains": _joined(domains),
            "country": partner.country,
            "regions": _joined(partner.regions),
            "industries": _joined(partner.industries),
            "partner_type": partner.partner_type,
            "segment": partner.segment,
            "account_manager": partner.account_manager_id,
        }


INITIAL_STATUSES = [PartnerStatus.APPLICANT, PartnerStatus.ONBOARDING, PartnerStatus.ACTIVE]


class PartnerCreateForm(PartnerForm):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, s.label) for s in INITIAL_STATUSES],
        initial=PartnerStatus.ONBOARDING,
    )
    strengths = forms.CharField(
        max_length=LONG_TEXT, label=_("Strengths"), widget=forms.Textarea, required=False
    )
    markets = forms.CharField(
        max_length=LONG_TEXT, label=_("Markets"), widget=forms.Textarea, required=False
    )
    certifications_held = forms.CharField(
        max_length=LONG_TEXT, label=_("Certifications held"), widget=forms.Textarea, required=False
    )
    customer_references = forms.CharField(
        max_length=LONG_TEXT, label=_("Customer references"), widget=forms.Textarea, required=False
    )


class StatusChangeForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    reason = forms.CharField(
        max_length=REASON_TEXT,
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required when suspending or terminating."),
    )

    def __init__(self, *args, allowed: frozenset[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [
            (status.value, status.label) for status in PartnerStatus if status in allowed
        ]


class KeyNameForm(forms.Form):
    key = forms.SlugField(
        label=_("Key"),
        max_length=40,
        help_text=_("Lower-case letters, digits and hyphens; used in imports and the API."),
    )
    name = forms.CharField(label=_("Name"), max_length=100)


def plain_number(value: Decimal | None) -> str | None:
    """1500.0000 → "1500", 12.5000 → "12.5"."""
    return None if value is None else format(value.normalize(), "f")


class KpiValuesForm(forms.Form):
    """One number per custom KPI; an empty field clears the partner's value."""

    def __init__(self, *args, kpis: list[KpiDefinition], **kwargs):
        super().__init__(*args, **kwargs)
        self.kpis = kpis
        for kpi in kpis:
            self.fields[self.field_name(kpi)] = forms.DecimalField(
                label=kpi.name,
                max_digits=18,
                decimal_places=4,
                required=False,
                initial=plain_number(getattr(kpi, "value", None)),
            )

    @staticmethod
    def field_name(kpi: KpiDefinition) -> str:
        return f"kpi_{kpi.pk}"

    def values(self) -> dict[int, Decimal | None]:
        return {kpi.pk: self.cleaned_data.get(self.field_name(kpi)) for kpi in self.kpis}


class PartnerProfileForm(forms.Form):
    """What a partner's admin keeps up to date about their organisation."""

    website = forms.URLField(
        label=_("Website"), max_length=200, required=False, assume_scheme="https"
    )
    regions = ListField(label=_("Regions / territories served"))
    industries = ListField(label=_("Industries"))
    strengths = forms.CharField(
        max_length=LONG_TEXT,
        label=_("Strengths"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    markets = forms.CharField(
        max_length=LONG_TEXT,
        label=_("Markets"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    certifications_held = forms.CharField(
        max_length=LONG_TEXT,
        label=_("Certifications held"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    customer_references = forms.CharField(
        max_length=LONG_TEXT,
        label=_("Customer references"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    @classmethod
    def initial_for(cls, partner: Partner) -> dict:
        return {name: getattr(partner, name) for name in cls.base_fields}


SORT_CHOICES = [
    ("name", _("Name (A–Z)")),
    ("-name", _("Name (Z–A)")),
    ("status", _("Status")),
    ("type", _("Type")),
    ("country", _("Country")),
    ("tier", _("Tier (highest first)")),
    ("newest", _("Newest first")),
]
NONE_VALUE = "null"


def _or_none(value: str) -> int | None:
    """A choice of "somebody (by id)", "nobody" (``null``) or "any" (empty)."""
    if value == NONE_VALUE:
        return NOBODY
    return int(value) if value else None


class DirectoryFilterForm(forms.Form):
    """Search, filters and sort of the directory.  Values that do not validate
    are reported on the form and left out; the other filters still apply."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, legal name or domain")}
        ),
    )
    partner_type = forms.ChoiceField(label=_("Type"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *PartnerStatus.choices],
    )
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    segment = forms.ChoiceField(
        label=_("Segment"), required=False, choices=[("", _("Any segment")), *Segment.choices]
    )
    account_manager = forms.ChoiceField(label=_("Account manager"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, type_choices, tiers, countries, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.type_choices = list(type_choices)
        self.fields["partner_type"].choices = [("", _("Any type")), *self.type_choices]
        self.fields["tier"].choices = [
            ("", _("Any tier")),
            (NONE_VALUE, _("No tier")),
            *[(str(t.pk), t.name) for t in tiers],
        ]
        self.fields["country"].choices = [
            ("", _("Any country")),
            *sorted(((c, country_name(c) or c) for c in countries), key=lambda c: c[1]),
        ]
        self.fields["account_manager"].choices = [
            ("", _("Anyone")),
            (NONE_VALUE, _("Nobody")),
            *[(str(u.pk), str(u)) for u in staff],
        ]

    def filters(self) -> PartnerFilters:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})  # an unbound form filters nothing
        return PartnerFilters(
            text=data.get("q", ""),
            partner_type=data.get("partner_type", ""),
            status=data.get("status", ""),
            tier_id=_or_none(data.get("tier", "")),
            country=data.get("country", ""),
            segment=data.get("segment", ""),
            account_manager_id=_or_none(data.get("account_manager", "")),
            sort=data.get("sort") or "name",
        )
