from decimal import Decimal

from django import forms
from django.contrib.postgres.forms import SimpleArrayField
from django.utils.translation import gettext_lazy as _

from partners import metrics
from partners.models import Tier, TierPolicy
from partners.services.tiers import TIER_FIELDS
from portal.forms import explain_empty


class TierPolicyForm(forms.Form):
    enabled = forms.BooleanField(label=_("Tiers enabled"), required=False)
    mode = forms.ChoiceField(label=_("Tier changes"), choices=TierPolicy.Mode.choices)
    demotion_grace_days = forms.IntegerField(
        label=_("Demotion grace period (days)"), min_value=0, max_value=3650
    )


class TierForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    rank = forms.IntegerField(
        label=_("Rank"), min_value=0, max_value=32767, help_text=_("Higher is better.")
    )
    discount_pct = forms.DecimalField(
        label=_("Discount %"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        initial=Decimal(0),
    )
    rebate_multiplier = forms.DecimalField(
        label=_("Rebate multiplier"),
        min_value=Decimal(0),
        max_digits=6,
        decimal_places=3,
        initial=Decimal(1),
    )
    mdf_allocation_pct = forms.DecimalField(
        label=_("MDF allocation %"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        initial=Decimal(0),
    )
    protection_days = forms.IntegerField(
        label=_("Deal-registration protection (days)"),
        min_value=0,
        max_value=3650,
        required=False,
    )
    content_access = SimpleArrayField(
        forms.SlugField(max_length=40),
        max_length=50,  # tags
        label=_("Content access tags"),
        required=False,
        help_text=_("Comma-separated, e.g. sales,technical"),
    )

    @classmethod
    def for_tier(cls, tier: Tier, data=None) -> "TierForm":
        initial = {name: getattr(tier, name) for name in sorted(TIER_FIELDS)}
        return cls(data, initial=initial)


class TierRequirementForm(forms.Form):
    metric = forms.ChoiceField(label=_("Metric"))
    minimum = forms.DecimalField(
        label=_("At least"), min_value=Decimal(0), max_digits=18, decimal_places=2
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = metrics.choices()


class TierDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Approve")), ("no", _("Reject"))],
        coerce=lambda value: value == "yes",
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, required=False, widget=forms.TextInput
    )


class PartnerTierForm(forms.Form):
    tier = forms.ModelChoiceField(
        label=_("Tier"),
        queryset=Tier.all_tenants.none(),
        required=False,
        empty_label=_("No tier"),
    )
    reason = forms.CharField(label=_("Reason"), max_length=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = Tier.objects.order_by("rank")
        explain_empty(self.fields["tier"], _("No tiers are set up yet: add tiers first."))
