from django import forms
from django.utils.translation import gettext_lazy as _

from partners import metrics
from partners.types import partner_type_choices
from prm.text import LONG_TEXT


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    partner_type = forms.ChoiceField(label=_("For partner type"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_type"].choices = [
            ("", _("Every type without its own plan")),
            *partner_type_choices(),
        ]


class StepForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        max_length=LONG_TEXT,
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_after_days = forms.IntegerField(label=_("Due after (days)"), min_value=0, max_value=3650)
    metric = forms.ChoiceField(label=_("Completes itself when"), required=False)
    threshold = forms.DecimalField(
        label=_("reaches at least"), min_value=0, initial=1, max_digits=18, decimal_places=2
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [("", _("— ticked by hand —")), *metrics.choices()]
