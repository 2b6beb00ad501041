"""Program forms.  Brackets and rates are entered one per line, as people
write them (``100000: 4`` or ``CORE @ Gold: 9%``), and read into the terms the
service checks."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from deals.models import Product
from incentives.brackets import Bracket
from incentives.models import Calendar, MdfAllocation, PaysIn, ProgramKind, RebateMethod
from incentives.program_rules import ProgramTerms, RateTerm
from partners.models import PartnerType, Tier
from portal.forms import explain_empty

_NUMBER = r"-?\d[\d,]*(?:\.\d+)?"
_BRACKET = re.compile(rf"^\s*({_NUMBER})\s*:\s*({_NUMBER})\s*%?\s*$")
_RATE = re.compile(rf"^\s*([^@:]*?)\s*(?:@\s*([^:]+?))?\s*:\s*({_NUMBER})\s*(%?)\s*$")


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


class ProgramForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Type"), choices=ProgramKind.choices)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea, required=False, max_length=4000
    )
    calendar = forms.ChoiceField(label=_("Periods"), choices=Calendar.choices)
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    currency = forms.CharField(label=_("Payout currency"), max_length=3, min_length=3)
    rebate_method = forms.ChoiceField(
        label=_("Rebate method"), choices=[("", "—"), *RebateMethod.choices], required=False
    )
    brackets = forms.CharField(
        label=_("Volume brackets (rebates)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
        help_text=_("One per line, the volume from which a rate applies: 0: 2, 100000: 4"),
    )
    percent = forms.DecimalField(
        label=_("Percentage"), required=False, max_digits=7, decimal_places=4
    )
    fixed_amount = forms.DecimalField(
        label=_("Fixed amount per deal (or per partner and period for MDF)"),
        required=False,
        max_digits=18,
        decimal_places=2,
    )
    pays_in = forms.ChoiceField(
        label=_("Pays in"),
        choices=PaysIn.choices,
        initial=PaysIn.CASH,
        required=False,
        help_text=_("A SPIF may pay points: its fixed amount is then the points per deal."),
    )
    mdf_allocation = forms.ChoiceField(
        label=_("MDF allocation"), choices=[("", "—"), *MdfAllocation.choices], required=False
    )
    claim_window_days = forms.IntegerField(
        label=_("MDF claim window (days after the activity)"),
        min_value=1,
        max_value=366,
        initial=60,
        required=False,
    )
    reminder_days = forms.IntegerField(
        label=_("Remind this many days before an MDF deadline"),
        min_value=0,
        max_value=366,
        initial=14,
        required=False,
    )
    min_deal_amount = forms.DecimalField(
        label=_("Minimum deal size (SPIF)"), required=False, max_digits=18, decimal_places=2
    )
    rates = forms.CharField(
        label=_("Rates that take precedence"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=8000,
        help_text=_(
            "One per line: a product code, @ a tier, or both, then the rate: "
            "CORE: 8%, @ Gold: 6%, CORE @ Gold: 9%, CORE: 250 (a fixed amount)."
        ),
    )
    eligible_tiers = forms.ModelMultipleChoiceField(
        label=_("Tiers"),
        queryset=Tier.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    eligible_types = forms.MultipleChoiceField(
        label=_("Partner types"),
        choices=PartnerType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    eligible_countries = forms.CharField(
        label=_("Countries"),
        required=False,
        max_length=1000,
        help_text=_("ISO codes, comma-separated: DE, AT"),
    )
    eligible_regions = forms.CharField(label=_("Regions"), required=False, max_length=1000)
    eligible_products = forms.ModelMultipleChoiceField(
        label=_("Products"),
        queryset=Product.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    budget_cap = forms.DecimalField(
        label=_("Budget"), required=False, max_digits=18, decimal_places=2
    )
    minimum_payout = forms.DecimalField(
        label=_("Minimum payout"), max_digits=18, decimal_places=2, initial=Decimal("0")
    )
    four_eyes_above = forms.DecimalField(
        label=_("Second approver above"),
        max_digits=18,
        decimal_places=2,
        initial=Decimal("10000"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["eligible_tiers"].queryset = Tier.objects.order_by("rank")
        self.fields["eligible_products"].queryset = Product.objects.filter(is_active=True).order_by(
            "name"
        )
        explain_empty(
            self.fields["eligible_products"],
            _("The catalogue has no products yet: every product counts."),
        )
        explain_empty(
            self.fields["eligible_tiers"], _("No tiers are set up yet: every partner counts.")
        )

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()

    def clean_brackets(self):
        brackets = []
        for number, line in enumerate(self.cleaned_data["brackets"].splitlines(), 1):
            if not line.strip():
                continue
            match = _BRACKET.match(line)
            if not match:
                raise forms.ValidationError(
                    _t("Line %(n)d: write the volume, a colon and the rate, e.g. 100000: 4")
                    % {"n": number}
                )
            brackets.append(Bracket(_decimal(match[1]), _decimal(match[2])))
        return tuple(brackets)

    def clean_rates(self):
        tiers = {t.name.lower(): t.pk for t in Tier.objects.all()}
        products = {p.code.lower(): p.pk for p in Product.objects.all()}
        rates = []
        for number, line in enumerate(self.cleaned_data["rates"].splitlines(), 1):
            if not line.strip():
                continue
            match = _RATE.match(line)
            problem = None
            if not match:
                problem = _t("write a product code and/or @ tier, a colon and the rate")
            else:
                code, tier, value, percent = match.groups()
                product_id = products.get(code.strip().lower()) if code.strip() else None
                tier_id = tiers.get(tier.strip().lower()) if tier else None
                if code.strip() and product_id is None:
                    problem = _t("no product has the code %(code)s") % {"code": code.strip()}
                elif tier and tier_id is None:
                    problem = _t("no tier is called %(tier)s") % {"tier": tier.strip()}
            if problem:
                raise forms.ValidationError(
                    _t("Line %(n)d: %(problem)s.") % {"n": number, "problem": problem}
                )
            amount = _decimal(value)
            rates.append(
                RateTerm(
                    product_id=product_id,
                    tier_id=tier_id,
                    percent=amount if percent else None,
                    fixed_amount=None if percent else amount,
                )
            )
        return tuple(rates)

    @staticmethod
    def _codes(text: str, upper: bool) -> tuple[str, ...]:
        parts = [p.strip() for p in (text or "").split(",") if p.strip()]
        return tuple(p.upper() if upper else p for p in parts)

    def clean_eligible_countries(self):
        codes = self._codes(self.cleaned_data["eligible_countries"], upper=True)
        bad = [c for c in codes if not re.fullmatch(r"[A-Z]{2}", c)]
        if bad:
            raise forms.ValidationError(_t("Use two-letter country codes: %s") % ", ".join(bad))
        return codes

    def clean_eligible_regions(self):
        return self._codes(self.cleaned_data["eligible_regions"], upper=False)

    def terms(self) -> ProgramTerms:
        data = self.cleaned_data
        return ProgramTerms(
            name=data["name"],
            kind=data["kind"],
            calendar=data["calendar"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            currency=data["currency"],
            description=data["description"],
            rebate_method=data["rebate_method"],
            percent=data["percent"],
            fixed_amount=data["fixed_amount"],
            min_deal_amount=data["min_deal_amount"],
            budget_cap=data["budget_cap"],
            minimum_payout=data["minimum_payout"],
            four_eyes_above=data["four_eyes_above"],
            pays_in=data["pays_in"] or "cash",
            mdf_allocation=data["mdf_allocation"],
            claim_window_days=data["claim_window_days"] or 60,
            reminder_days=14 if data["reminder_days"] is None else data["reminder_days"],
            eligible_tier_ids=tuple(t.pk for t in data["eligible_tiers"]),
            eligible_types=tuple(data["eligible_types"]),
            eligible_countries=data["eligible_countries"],
            eligible_regions=data["eligible_regions"],
            eligible_product_ids=tuple(p.pk for p in data["eligible_products"]),
            brackets=data["brackets"],
            rates=data["rates"],
        )


def initial_from(program, terms: ProgramTerms) -> dict:
    """The form's initial values for a program's terms."""
    tiers = {t.pk: t.name for t in Tier.objects.all()}
    products = {p.pk: p.code for p in Product.objects.all()}

    def rate_line(rate: RateTerm) -> str:
        who = products.get(rate.product_id, "")
        if rate.tier_id:
            who = f"{who} @ {tiers.get(rate.tier_id, '')}".strip()
        value = f"{rate.percent.normalize()}%" if rate.percent is not None else rate.fixed_amount
        return f"{who}: {value}"

    return {
        **{
            name: getattr(terms, name)
            for name in (
                "name",
                "kind",
                "description",
                "calendar",
                "starts_on",
                "ends_on",
                "currency",
                "rebate_method",
                "percent",
                "fixed_amount",
                "min_deal_amount",
                "budget_cap",
                "minimum_payout",
                "four_eyes_above",
                "pays_in",
                "mdf_allocation",
                "claim_window_days",
                "reminder_days",
                "eligible_types",
            )
        },
        "eligible_tiers": list(terms.eligible_tier_ids),
        "eligible_products": list(terms.eligible_product_ids),
        "eligible_countries": ", ".join(terms.eligible_countries),
        "eligible_regions": ", ".join(terms.eligible_regions),
        "brackets": "\n".join(
            f"{b.threshold.normalize():f}: {b.rate.normalize():f}" for b in terms.brackets
        ),
        "rates": "\n".join(rate_line(r) for r in terms.rates),
    }


class PreviewForm(forms.Form):
    volume = forms.DecimalField(
        label=_("With this volume"), min_value=Decimal(0), max_digits=18, decimal_places=2
    )


class ExchangeRateForm(forms.Form):
    currency = forms.CharField(label=_("From"), max_length=3, min_length=3)
    to_currency = forms.CharField(label=_("To"), max_length=3, min_length=3)
    rate = forms.DecimalField(label=_("Rate"), max_digits=18, decimal_places=8)
    effective_on = forms.DateField(
        label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"})
    )


class RunForm(forms.Form):
    day = forms.DateField(
        label=_("A day in the period"), widget=forms.DateInput(attrs={"type": "date"})
    )
    as_of = forms.DateField(
        label=_("Revenue closed up to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for the period's end (or today, mid-period)."),
    )
