"""Targeting shared by announcements and surveys: the form fields, and the
audience described in words on list and detail pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.audience import Audience, audience_clean
from partners.models import Segment, Tier
from partners.types import partner_type_choices
from prm.text import LONG_TEXT


def with_audience(rows) -> list:
    """Materialise ``rows`` and give each an ``audience`` text naming its targets
    (two lookup queries, whatever the number of rows)."""
    rows = list(rows)
    tiers = dict(Tier.objects.values_list("pk", "name"))
    types = dict(partner_type_choices())
    segments = dict(Segment.choices)
    for row in rows:
        parts = []
        if row.target_tier_ids:
            names = ", ".join(str(tiers.get(t, t)) for t in row.target_tier_ids)
            parts.append(_("Tiers: %(names)s") % {"names": names})
        if row.target_types:
            names = ", ".join(str(types.get(t, t)) for t in row.target_types)
            parts.append(_("Types: %(names)s") % {"names": names})
        if row.target_regions:
            parts.append(_("Regions: %(names)s") % {"names": ", ".join(row.target_regions)})
        if row.target_segments:
            names = ", ".join(str(segments.get(s, s)) for s in row.target_segments)
            parts.append(_("Segments: %(names)s") % {"names": names})
        row.audience = "; ".join(parts) or _("Every partner")
    return rows


def split_list(value: str, separators: str = ",") -> list[str]:
    for separator in separators[1:]:
        value = value.replace(separator, separators[0])
    return [part.strip() for part in value.split(separators[0]) if part.strip()]


class AudienceForm(forms.Form):
    """Targeting fields shared by announcements and surveys (empty = everyone)."""

    target_tier_ids = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Tiers"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Leave empty for every tier (and partners without one)."),
    )
    target_types = forms.MultipleChoiceField(
        label=gettext_lazy("Partner types"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Leave empty for every type."),
    )
    target_regions = forms.CharField(
        max_length=LONG_TEXT,
        label=gettext_lazy("Regions"),
        required=False,
        help_text=gettext_lazy("Comma-separated, e.g. EMEA, DACH. Leave empty for every region."),
    )
    target_segments = forms.MultipleChoiceField(
        label=gettext_lazy("Segments"),
        choices=Segment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Leave empty for every segment."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_tier_ids"].choices = [(t.pk, t.name) for t in Tier.objects.all()]
        self.fields["target_types"].choices = partner_type_choices()

    @staticmethod
    def initial_from(obj) -> dict:
        return {
            "target_tier_ids": list(obj.target_tier_ids),
            "target_types": list(obj.target_types),
            "target_regions": ", ".join(obj.target_regions),
            "target_segments": list(obj.target_segments),
        }

    def audience(self) -> Audience:
        data = self.cleaned_data
        return audience_clean(
            tier_ids=data["target_tier_ids"],
            types=data["target_types"],
            regions=split_list(data["target_regions"]),
            segments=data["target_segments"],
        )

    def fields_except_audience(self) -> dict:
        audience = {"target_tier_ids", "target_types", "target_regions", "target_segments"}
        return {k: v for k, v in self.cleaned_data.items() if k not in audience}
