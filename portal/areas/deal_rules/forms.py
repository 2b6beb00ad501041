"""The form of the rules of engagement."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from deals.models import DealSettings
from deals.services.rules import SETTINGS_FIELDS


class DealSettingsForm(forms.ModelForm):
    class Meta:
        model = DealSettings
        fields = list(SETTINGS_FIELDS)
        help_texts = {
            "reminder_days": _("0 turns reminders off."),
            "name_similarity": _(
                "Between 0.1 and 1: how alike two customer names must be to count as the "
                "same customer (1 = identical after normalising)."
            ),
            "max_extensions": _("How often a partner may extend an approved registration."),
        }

    def validate_unique(self) -> None:
        """One row per tenant; the service saves the current tenant's row."""
