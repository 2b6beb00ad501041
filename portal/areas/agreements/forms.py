from django import forms
from django.utils.translation import gettext_lazy as _

from prm.text import LONG_TEXT


class PublishForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        max_length=LONG_TEXT,
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    document = forms.FileField(label=_("Or upload a PDF"), required=False)
    accept_by = forms.DateField(
        label=_("Partners accept by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
