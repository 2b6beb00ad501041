"""Forms of the points pages.  They only parse: the services check the values
(points, periods, the image's content) and say what is wrong."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from incentives.models import ExpiryUnit
from portal.forms import explain_empty


class RuleForm(forms.Form):
    event = forms.ChoiceField(label=_("Event"))
    points = forms.CharField(label=_("Points"), max_length=12)
    per_amount = forms.CharField(
        label=_("Per amount of"),
        max_length=20,
        required=False,
        help_text=_(
            "Only for events with an amount (a won deal): the points are given for every "
            "whole amount of this much, rounded down (10 points per 1,000: 2,999 earns 20). "
            "Empty: the points per event."
        ),
    )

    def __init__(self, *args, events: list[tuple[str, str]], editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = events
        if editing:
            del self.fields["event"]


class SettingsForm(forms.Form):
    expire_after = forms.CharField(
        label=_("Points expire after"),
        max_length=6,
        required=False,
        help_text=_(
            "Empty: points never expire.  A new period applies to points earned from now on."
        ),
    )
    expire_unit = forms.ChoiceField(label=_("Unit"), choices=ExpiryUnit.choices)
    reminder_days = forms.CharField(
        label=_("Remind people this many days before points expire"), max_length=4
    )


class RewardForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    cost = forms.CharField(label=_("Cost in points"), max_length=12)
    stock = forms.CharField(
        label=_("In stock"), max_length=8, required=False, help_text=_("Empty: unlimited.")
    )
    image = forms.FileField(
        label=_("Image"), required=False, help_text=_("A PNG or JPEG image of at most 2 MB.")
    )
    is_active = forms.BooleanField(label=_("Offered to partners"), required=False, initial=True)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["is_active"]


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class AdjustForm(forms.Form):
    person = forms.ChoiceField(label=_("Person"))
    points = forms.CharField(
        label=_("Points"), max_length=12, help_text=_("Below zero to take points back.")
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [
            (person.pk, person.user.full_name or person.user.email) for person in people
        ]
        explain_empty(self.fields["person"], _("No partner person can earn points yet."))
