from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from partners.models import Partner
from prm.models import Tenant
from prm.once import new_key
from prm.roles import Role
from prm.text import LINE_TEXT


def apply_validation_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form fields it names."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else NON_FIELD_ERRORS, errors)
    else:
        form.add_error(None, error)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=Partner.all_tenants.none(), required=False
    )

    def __init__(self, *args, roles, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [c for c in Role.choices if c[0] in roles]
        self.fields["partner"].queryset = partners
        if partners is None:
            del self.fields["partner"]


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
