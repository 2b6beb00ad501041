"""Forms of market development funds: the partner's request and claim, the
vendor's decisions, allocations and adjustments of funds."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from incentives.mdf_rules import MAX_PROOF_BYTES, MAX_PROOFS, ActivityPlan, ClaimReport
from incentives.models import ActivityType, MdfRequest, Program
from incentives.states import program_is_active
from portal.forms import PartnerField, PartnerSearch
from prm.text import REASON_TEXT

MONEY = {"max_digits": 18, "decimal_places": 2}
_DATE = {"type": "date"}


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs=_DATE), **kwargs)


def _count_field(label) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0, max_value=10_000_000)


# --- the partner's request and claim --------------------------------------------------


class RequestForm(forms.Form):
    """An activity plan; the program is chosen only when the organisation has
    funds in more than one."""

    program = forms.TypedChoiceField(label=_("Program"), coerce=int)
    activity_type = forms.ChoiceField(label=_("Activity"), choices=ActivityType.choices)
    title = forms.CharField(label=_("Title"), max_length=160)
    description = forms.CharField(
        label=_("Description"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you will do, for whom, and how it brings business."),
    )
    starts_on = _date_field(_("Starts on"))
    ends_on = _date_field(_("Ends on"))
    expected_leads = _count_field(_("Expected leads"))
    expected_attendees = _count_field(_("Expected attendees"))
    expected_results = forms.CharField(
        label=_("Other expected results"), max_length=300, required=False
    )
    amount = forms.DecimalField(label=_("Amount requested"), **MONEY)
    cofunding_percent = forms.DecimalField(
        label=_("Your co-funding share %"),
        max_digits=5,
        decimal_places=2,
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("99.99"),
        help_text=_("The share of the activity's cost your organisation pays itself."),
    )

    def __init__(self, *args, programs: list[Program], **kwargs):
        super().__init__(*args, **kwargs)
        self.programs = {program.pk: program for program in programs}
        if len(programs) > 1:
            self.fields["program"].choices = [(p.pk, str(p)) for p in programs]
        else:
            del self.fields["program"]

    @classmethod
    def initial_for(cls, request: MdfRequest) -> dict:
        return {
            name: getattr(request, name)
            for name in (
                "activity_type",
                "title",
                "description",
                "starts_on",
                "ends_on",
                "expected_leads",
                "expected_attendees",
                "expected_results",
                "amount",
                "cofunding_percent",
            )
        }

    def chosen_program(self) -> Program | None:
        if "program" in self.fields:
            return self.programs.get(self.cleaned_data["program"])
        return next(iter(self.programs.values()), None)

    def plan(self) -> ActivityPlan:
        data = self.cleaned_data
        return ActivityPlan(
            activity_type=data["activity_type"],
            title=data["title"],
            description=data["description"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            amount=data["amount"],
            expected_leads=data["expected_leads"],
            expected_attendees=data["expected_attendees"],
            expected_results=data["expected_results"],
            cofunding_percent=data["cofunding_percent"],
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; cleans to a list (empty when none)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [file for file in files if file]
        if not files:
            return super().clean(None, initial) or []
        single = super().clean
        return [single(file, initial) for file in files]


class ClaimForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount spent and claimed"), **MONEY)
    actual_leads = _count_field(_("Leads generated"))
    actual_attendees = _count_field(_("Attendees"))
    results = forms.CharField(
        label=_("Results"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    proofs = MultipleFileField(label=_("Proof of performance"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proofs"].help_text = gettext(
            "Invoices, photos, attendee lists: up to %(n)d files (PDF, PNG, JPEG, CSV or "
            "XLSX), each at most %(mb)d MB."
        ) % {"n": MAX_PROOFS, "mb": MAX_PROOF_BYTES // (1024 * 1024)}

    def report(self) -> ClaimReport:
        data = self.cleaned_data
        return ClaimReport(
            amount=data["amount"],
            actual_leads=data["actual_leads"],
            actual_attendees=data["actual_attendees"],
            results=data["results"],
        )


# --- the vendor's decisions -------------------------------------------------------------


class ApproveForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to approve"),
        required=False,
        help_text=_("Leave empty to approve the full amount."),
        **MONEY,
    )


class RequestApproveForm(ApproveForm):
    note = forms.CharField(
        label=_("Note to the partner"),
        max_length=REASON_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_("What should change?"),
        max_length=REASON_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=REASON_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- funds ------------------------------------------------------------------------------


class FundsFilterForm(forms.Form):
    program = forms.TypedChoiceField(label=_("Program"), coerce=int, required=False)
    day = _date_field(_("Period holding"), required=False)

    def __init__(self, *args, programs: list[Program], today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.programs = {program.pk: program for program in programs}
        self.fields["program"].choices = [(p.pk, str(p)) for p in programs]
        self.today = today
        shown = self.chosen_program()
        self.initial.setdefault("program", shown.pk if shown else None)
        self.initial.setdefault("day", today)

    def _value(self, name: str):
        """The field's value when it validates (the others may not), else None."""
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name)

    def chosen_program(self) -> Program | None:
        """The chosen program, else the first active one, else the first."""
        listed = list(self.programs.values())
        return (
            self.programs.get(self._value("program"))
            or next((program for program in listed if program_is_active(program)), None)
            or next(iter(listed), None)
        )

    def chosen_day(self) -> datetime.date:
        return self._value("day") or self.today


class AllocateForm(forms.Form):
    period = _date_field(
        _("A day of the period"), help_text=_("Funds are allocated for the period holding it.")
    )


class AllocateOneForm(forms.Form):
    partner = PartnerField(label=_("Partner"))
    period = _date_field(_("A day of the period"))
    amount = forms.DecimalField(label=_("Amount"), **MONEY)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, partner_search: PartnerSearch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].search = partner_search


class AdjustForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"),
        help_text=_("A positive amount tops the fund up; a negative one (-500) reduces it."),
        **MONEY,
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
