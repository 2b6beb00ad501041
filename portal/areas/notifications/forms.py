from django import forms

from prm.models import EmailChoice
from prm.notifications import NotificationKind


class PreferencesForm(forms.Form):
    """One e-mail choice per kind of notification the person's role receives."""

    def __init__(self, *args, kinds: list[NotificationKind], chosen: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind.key] = forms.ChoiceField(
                label=kind.label,
                choices=EmailChoice.choices,
                initial=chosen.get(kind.key, kind.default_email),
                widget=forms.RadioSelect,
                required=False,
            )

    def choices(self) -> dict[str, str]:
        """The kinds the form was sent with (a kind left out keeps its choice)."""
        return {key: value for key, value in self.cleaned_data.items() if value}
