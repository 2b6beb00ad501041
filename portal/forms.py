from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partners.models import Partner
from partners.selectors.organisations import partners_pickable
from prm.models import Tenant
from prm.once import new_key
from prm.roles import Role
from prm.text import LINE_TEXT

from .countries import country_code_for
from .widgets import CountryInput, PartnerPicker, partner_id


def apply_validation_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: each message next to the
    field it names, all of them at once; what names no field of the form goes
    above it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else NON_FIELD_ERRORS, errors)
    else:
        form.add_error(None, error)


def explain_empty(field: forms.Field, message) -> None:
    """Say ``message`` instead of showing ``field``'s list when it has nothing to
    choose from (the shared field templates, ``form_marks.empty_choices``)."""
    field.empty_message = message


class CountryField(forms.CharField):
    """An ISO 3166-1 country, chosen by its name in the reader's language
    (``CountryInput``: type "Germ…" and pick Germany).  Cleans to the upper-case
    two-letter code ("" when empty); accepts the code itself or the whole name,
    in the page's language or in English; a text that names no country is a
    field error that says so."""

    widget = CountryInput
    default_error_messages = {
        "unknown": _(
            "“%(value)s” is not a country we know. Type its name and choose it from the list."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Country"))
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("help_text", _("Type the country's name and choose it from the list."))
        super().__init__(**kwargs)

    def to_python(self, value) -> str:
        text = super().to_python(value)
        if text in self.empty_values:
            return ""
        code = country_code_for(text)
        if code is None:
            raise ValidationError(
                self.error_messages["unknown"], code="unknown", params={"value": text}
            )
        return code


@dataclass(frozen=True)
class PartnerSearch:
    """What a partner picker chooses from: the partners the acting membership may
    pick, and the address of the console's partner search that suggests them."""

    partners: QuerySet[Partner]
    url: str


def partner_search(request, *, active_only: bool = False) -> PartnerSearch:
    """The partner search of a console page, for the request's membership."""
    url = reverse("console:partner_pick", kwargs={"tenant_slug": request.tenant.slug})
    if active_only:
        url += "?" + urlencode({"active": "1"})
    return PartnerSearch(
        partners=partners_pickable(membership=request.membership, active_only=active_only),
        url=url,
    )


class PartnerField(forms.Field):
    """One partner, chosen with the partner picker and sent as its id (the same
    ``?partner=<id>`` as a drop-down sent).  It cleans to the ``Partner``, or None
    when empty; an id the search may not pick (missing, another tenant's, not
    a number) is an invalid choice, so a filter form leaves it out.  The form
    sets ``search`` (a ``PartnerSearch``) before the field is used."""

    widget = PartnerPicker
    default_error_messages = {
        "invalid_choice": _("Choose a partner from the suggestions."),
    }

    def __init__(self, *, search: PartnerSearch | None = None, **kwargs):
        super().__init__(**kwargs)
        self.search = search

    @property
    def search(self) -> PartnerSearch | None:
        return self.widget.search

    @search.setter
    def search(self, search: PartnerSearch | None) -> None:
        self.widget.search = search

    def to_python(self, value) -> Partner | None:
        if value in self.empty_values:
            return None
        partner = self.widget.partner_for(value)
        if partner is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return partner

    def has_changed(self, initial, data) -> bool:
        return partner_id(initial) != partner_id(data)


def partner_filter_field() -> PartnerField:
    """A list filter's partner: empty means any partner."""
    return PartnerField(
        label=_("Partner"),
        required=False,
        widget=PartnerPicker(attrs={"placeholder": _("Any partner")}),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    partner = PartnerField(label=_("Partner"), required=False)

    def __init__(self, *args, roles, partner_search: PartnerSearch | None, **kwargs):
        """Without ``partner_search`` (a partner inviting colleagues) there is no
        partner to choose."""
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [c for c in Role.choices if c[0] in roles]
        if partner_search is None:
            del self.fields["partner"]
        else:
            self.fields["partner"].search = partner_search


class TenantSettingsForm(forms.ModelForm):
    class Meta:
        model = Tenant
        fields = ["name", "default_currency", "locale", "require_mfa_for_vendor_roles"]


class AcceptInvitationForm(forms.Form):
    """For an invitee who has no account yet: name and password."""

    full_name = forms.CharField(label=_("Your name"), max_length=200)
    password1 = forms.CharField(
        max_length=LINE_TEXT, label=_("Password"), widget=forms.PasswordInput
    )
    password2 = forms.CharField(
        max_length=LINE_TEXT, label=_("Password again"), widget=forms.PasswordInput
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif data.get("password1"):
            try:
                validate_password(data["password1"])
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class OnceForm(forms.Form):
    """A create form that works once: it carries a one-time key (a hidden field)
    that the service records with what it creates (``prm.once``)."""

    form_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["form_key"] = new_key()
