from django import forms
from django.utils.translation import gettext_lazy as _

from incentives.models import BudgetDecision


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("Payment reference"), max_length=100)


class BudgetForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Over budget"),
        choices=[c for c in BudgetDecision.choices if c[0]],
        widget=forms.RadioSelect,
    )


class RecalculateForm(forms.Form):
    as_of = forms.DateField(
        label=_("Revenue closed up to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
