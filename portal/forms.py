from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from partners.models import Partner
from prm.models import Tenant
from prm.roles import Role


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
