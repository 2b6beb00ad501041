"""The form of the activity log."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from deals.models import Activity
from prm.text import LINE_TEXT, LONG_TEXT


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices)
    body = forms.CharField(
        max_length=LONG_TEXT,
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    occurred_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now."),
    )
    attachment = forms.FileField(
        label=_("Document"),
        required=False,
        allow_empty_file=True,
        help_text=_("For documents: pdf, docx, xlsx, pptx, png, jpg, txt or csv; at most 10 MB."),
    )
    next = forms.CharField(max_length=LINE_TEXT, widget=forms.HiddenInput, required=False)

    def activity_fields(self) -> dict:
        return {
            "kind": self.cleaned_data["kind"],
            "body": self.cleaned_data["body"],
            "occurred_at": self.cleaned_data["occurred_at"],
            "attachment": self.cleaned_data["attachment"] or None,
        }
