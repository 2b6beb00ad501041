"""Filtering and sorting of the partner directory (console page, CSV export, API)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from prm.models import Membership, User
from prm.roles import VENDOR_ROLES

from .models import PartnerStatus, Segment, Tier
from .selectors.organisations import partner_countries, partners_search
from .types import partner_type_choices

SORTS = [
    ("name", _("Name (A–Z)")),
    ("-name", _("Name (Z–A)")),
    ("status", _("Status")),
    ("type", _("Type")),
    ("country", _("Country")),
    ("tier", _("Tier (highest first)")),
    ("newest", _("Newest first")),
]
STATUS_ORDER = list(PartnerStatus.values)


def _tiers(request) -> QuerySet[Tier]:
    return Tier.objects.order_by("-rank")


def _vendor_staff(request) -> QuerySet[User]:
    staff = Membership.objects.filter(role__in=VENDOR_ROLES).values("user_id")
    return User.objects.filter(pk__in=staff).order_by("full_name", "email")


class PartnerDirectoryFilter(django_filters.FilterSet):
    """Search, filters and sort of the directory. Values that do not validate are
    reported on the form and left out; the other filters still apply.

    Needs the acting membership (for country choices) and runs in its tenant."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, legal name or domain")}
        ),
    )
    partner_type = django_filters.ChoiceFilter(label=_("Type"), empty_label=_("Any type"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=PartnerStatus.choices, empty_label=_("Any status")
    )
    tier = django_filters.ModelChoiceFilter(
        label=_("Tier"), queryset=_tiers, empty_label=_("Any tier"), null_label=_("No tier")
    )
    country = django_filters.ChoiceFilter(label=_("Country"), empty_label=_("Any country"))
    segment = django_filters.ChoiceFilter(
        label=_("Segment"), choices=Segment.choices, empty_label=_("Any segment")
    )
    account_manager = django_filters.ModelChoiceFilter(
        label=_("Account manager"),
        queryset=_vendor_staff,
        empty_label=_("Anyone"),
        null_label=_("Nobody"),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=SORTS, method="filter_sort", empty_label=None
    )

    def __init__(self, data=None, queryset=None, *, request=None, membership: Membership):
        super().__init__(data, queryset, request=request)
        self.type_choices = partner_type_choices()
        self.filters["partner_type"].extra["choices"] = self.type_choices
        self.filters["country"].extra["choices"] = [
            (code, code) for code in partner_countries(membership=membership)
        ]

    def filter_search(self, queryset, name, value):
        return partners_search(queryset, value)

    def filter_sort(self, queryset, name, value):
        if value == "name":
            return queryset.order_by("name", "pk")
        if value == "-name":
            return queryset.order_by("-name", "-pk")
        if value == "status":
            position = Case(
                *[When(status=s, then=Value(i)) for i, s in enumerate(STATUS_ORDER)],
                output_field=IntegerField(),
            )
            return queryset.order_by(position, "name", "pk")
        if value == "type":
            label = Case(
                *[When(partner_type=key, then=Value(str(lbl))) for key, lbl in self.type_choices],
                default=F("partner_type"),
            )
            return queryset.order_by(label, "name", "pk")
        if value == "country":
            blank_last = Case(When(country="", then=Value(1)), default=Value(0))
            return queryset.order_by(blank_last, "country", "name", "pk")
        if value == "tier":
            return queryset.order_by(F("tier__rank").desc(nulls_last=True), "name", "pk")
        if value == "newest":
            return queryset.order_by("-created_at", "-pk")
        return queryset
