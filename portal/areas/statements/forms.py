from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from incentives.services.payout_profiles import LIMITS


class IssueForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the statements"),
        choices=settings.LANGUAGES,
        help_text=_("Right-to-left languages are laid out right to left."),
    )


class PayoutProfileForm(forms.Form):
    legal_name = forms.CharField(
        label=_("Legal name"),
        max_length=LIMITS["legal_name"],
        required=False,
        help_text=_("Left empty, statements use the partner's legal name or name."),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=LIMITS["address"],
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    tax_id = forms.CharField(label=_("Tax ID"), max_length=LIMITS["tax_id"], required=False)
    payment_details = forms.CharField(
        label=_("Payment details"),
        max_length=LIMITS["payment_details"],
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Bank account (IBAN, BIC) or how the vendor pays you."),
    )

    @staticmethod
    def initial_for(profile) -> dict:
        if profile is None:
            return {}
        return {name: getattr(profile, name) for name in LIMITS}
