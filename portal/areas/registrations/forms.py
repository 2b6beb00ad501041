"""Forms of the registration flow: the partner's registration and outcome forms,
the vendor's decisions, and the list filters.  Business rules are checked by the
services; the forms parse input."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from deals.models import RegistrationStatus, Stage
from deals.selectors.registrations import QueueFilters, RegistrationFilters
from deals.states import AWAITING_DECISION
from portal.forms import (
    CountryField,
    OnceForm,
    PartnerSearch,
    explain_empty,
    partner_filter_field,
)
from prm.text import LINE_TEXT, REASON_TEXT

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IdsField(forms.MultipleChoiceField):
    """Ids offered as choices; any integer passes here, and the service says
    whether it names something real (the same message for unknown and foreign)."""

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")

    def clean(self, value):
        value = super().clean(value)
        try:
            return [int(v) for v in value]
        except (TypeError, ValueError) as error:
            raise ValidationError(_("Choose products from the catalogue.")) from error


class RegistrationForm(forms.Form):
    """A registration's fields.  Bound as a ``draft`` ("Save draft" on a draft),
    only the customer's name is required; submitting requires them all (the
    page still marks them all as required)."""

    DRAFT_REQUIRED = ("customer_name",)

    customer_name = forms.CharField(label=_("Customer"), max_length=200)
    customer_domain = forms.CharField(
        label=_("Website or e-mail domain"),
        max_length=253,
        required=False,
        help_text=_("For example example.com or jane@example.com."),
    )
    customer_country = CountryField(label=_("Country"))
    contact_name = forms.CharField(label=_("Contact name"), max_length=200, required=False)
    contact_email = forms.CharField(label=_("Contact e-mail"), max_length=254, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    product_ids = IdsField(
        label=_("Products"), widget=forms.CheckboxSelectMultiple, error_messages={}
    )
    # The service checks these too; checking them here as well tells every
    # problem at once, not the service's only after the form's are fixed.
    estimated_value = forms.DecimalField(
        label=_("Estimated value"),
        max_digits=18,
        min_value=0,
        error_messages={"min_value": _("The amount cannot be negative.")},
    )
    currency = forms.RegexField(
        label=_("Currency"),
        regex=r"^\s*[A-Za-z]{3}\s*$",
        max_length=3,
        error_messages={"invalid": _("Use a three-letter currency code.")},
    )
    expected_close_date = forms.DateField(label=_("Expected close"), widget=DATE)
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    notes = forms.CharField(
        max_length=REASON_TEXT,
        label=_("Notes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def __init__(self, *args, products, draft: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.draft = draft
        self.fields["product_ids"].choices = [
            (p.pk, f"{p.name} ({p.product_line})" if p.product_line else p.name) for p in products
        ]
        self.fields["product_ids"].error_messages["required"] = _("Choose at least one product.")
        explain_empty(
            self.fields["product_ids"],
            _(
                "The vendor has not listed any products yet, so a deal cannot be submitted. "
                "You can save it as a draft and submit it once products are listed."
            ),
        )

    def full_clean(self):
        """A draft checks what was given; only its customer's name is required."""
        if not self.draft:
            return super().full_clean()
        optional = [
            field
            for name, field in self.fields.items()
            if field.required and name not in self.DRAFT_REQUIRED
        ]
        for field in optional:
            field.required = False
        try:
            super().full_clean()
        finally:
            for field in optional:
                field.required = True


class RegistrationCreateForm(OnceForm, RegistrationForm):
    """Registering: the same fields, sent once however often the button is pressed."""


class WonForm(forms.Form):
    won_amount = forms.DecimalField(label=_("Final amount"), max_digits=18)
    closed_on = forms.DateField(label=_("Closed on"), widget=DATE)

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.products = list(products)
        for product in self.products:
            self.fields[f"line_{product.pk}"] = forms.DecimalField(
                label=_("Amount for %(product)s") % {"product": product.name},
                max_digits=18,
                required=False,
            )

    def lines(self) -> list[tuple[int, object]]:
        return [
            (p.pk, self.cleaned_data[f"line_{p.pk}"])
            for p in self.products
            if self.cleaned_data.get(f"line_{p.pk}") is not None
        ]

    def clean(self):
        data = super().clean()
        if not self.errors and not self.lines():
            raise ValidationError(_("Give the amount of at least one product line."))
        return data


class LostForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_TEXT,
        label=_("Why was it lost?"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    competitor = forms.CharField(label=_("Competitor"), max_length=200, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_TEXT,
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class DecisionForm(forms.Form):
    DECISIONS = [
        ("approve", _("Approve")),
        ("reject", _("Reject")),
        ("more_info", _("Ask for more information")),
    ]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS)
    reason = forms.CharField(
        max_length=REASON_TEXT,
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required to reject or to ask for information; the partner sees it."),
    )


class ExtensionDecisionForm(forms.Form):
    grant = forms.TypedChoiceField(
        label=_("Extension"),
        choices=[("yes", _("Grant")), ("no", _("Refuse"))],
        coerce=lambda v: v == "yes",
    )
    reason = forms.CharField(
        max_length=REASON_TEXT,
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class BulkDecisionForm(forms.Form):
    ids = IdsField(required=True)
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].error_messages["required"] = _("Tick at least one registration.")


# --- filters ----------------------------------------------------------------------------

STATUS_CHOICES = [("", _("Any status")), *RegistrationStatus.choices]


class PipelineFilterForm(forms.Form):
    q = forms.CharField(
        max_length=LINE_TEXT,
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Customer or contact")}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    stage = forms.ChoiceField(
        label=_("Stage"), choices=[("", _("Any stage")), *Stage.choices], required=False
    )

    def filters(self) -> RegistrationFilters:
        self.is_valid()
        data = self.cleaned_data
        return RegistrationFilters(
            status=data.get("status", ""), stage=data.get("stage", ""), text=data.get("q", "")
        )


class QueueFilterForm(forms.Form):
    partner = partner_filter_field()
    country = CountryField(label=_("Country"), required=False, help_text="")
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Submitted or waiting for information"))]
        + [(s, RegistrationStatus(s).label) for s in AWAITING_DECISION],
    )
    min_age_hours = forms.IntegerField(
        label=_("Waiting at least (hours)"), required=False, min_value=0
    )

    def __init__(self, *args, partner_search: PartnerSearch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].search = partner_search

    def filters(self) -> QueueFilters:
        self.is_valid()
        data = self.cleaned_data
        partner = data.get("partner")
        return QueueFilters(
            partner_id=partner.pk if partner else None,
            country=data.get("country", ""),
            min_age_hours=data.get("min_age_hours"),
            status=data.get("status", ""),
        )


class RegistrationFilterForm(PipelineFilterForm):
    partner = partner_filter_field()
    product = forms.TypedChoiceField(label=_("Product"), required=False, coerce=int)
    country = CountryField(label=_("Country"), required=False, help_text="")
    created_from = forms.DateField(label=_("Registered from"), required=False, widget=DATE)
    created_to = forms.DateField(label=_("Registered until"), required=False, widget=DATE)

    def __init__(self, *args, partner_search: PartnerSearch, products, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["stage"]
        self.fields["partner"].search = partner_search
        self.fields["product"].choices = [
            ("", _("Any product")),
            *[(p.pk, p.name) for p in products],
        ]

    def filters(self) -> RegistrationFilters:
        self.is_valid()
        data = self.cleaned_data
        partner = data.get("partner")
        return RegistrationFilters(
            status=data.get("status", ""),
            text=data.get("q", ""),
            partner_id=partner.pk if partner else None,
            product_id=data.get("product") or None,
            country=data.get("country", ""),
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
        )
