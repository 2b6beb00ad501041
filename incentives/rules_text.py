"""A program's rules in plain words, as the program page and the statements
state them.  Reads the program's rows; writes nothing."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from partners.models import PartnerType

from .models import Program


def amount(value: Decimal, currency: str) -> str:
    return f"{number_format(value, 2, use_l10n=True, force_grouping=True)} {currency}"


def percent(value: Decimal) -> str:
    return f"{number_format(value.normalize(), use_l10n=True)} %"


def _rate_words(rate, currency: str) -> str:
    if rate.percent is not None:
        return percent(rate.percent)
    return _("%(amount)s per deal") % {"amount": amount(rate.fixed_amount, currency)}


def _who(rate) -> str:
    if rate.product_id and rate.tier_id:
        return _("%(product)s for %(tier)s partners") % {
            "product": rate.product.name,
            "tier": rate.tier.name,
        }
    if rate.product_id:
        return rate.product.name
    return _("%(tier)s partners") % {"tier": rate.tier.name}


def _mdf_words(program: Program, period: str) -> list[str]:
    currency = program.currency
    if program.mdf_allocation == "fixed":
        allocation = _("Each eligible partner is allocated %(amount)s per period (%(period)s).") % {
            "amount": amount(program.fixed_amount, currency),
            "period": period,
        }
    elif program.mdf_allocation == "revenue_share":
        allocation = _(
            "Each eligible partner is allocated its won revenue of the previous period times "
            "its tier's MDF percentage, per period (%(period)s)."
        ) % {"period": period}
    else:
        allocation = _("Funds are allocated to partners by hand, per period (%(period)s).")
        allocation %= {"period": period}
    said = [
        allocation,
        _(
            "Partners request funds for a planned activity; an approved request commits "
            "the funds. Funds not requested by the end of the period expire."
        ),
        _(
            "After the activity the partner claims, with proof, within %(days)s days; an "
            "approved claim is paid in the program's next payout run. An approved request "
            "not claimed in time expires."
        )
        % {"days": program.claim_window_days},
    ]
    said.extend(_eligibility_words(program))
    if program.budget_cap is not None:
        said.append(
            _("The program's budget is %(amount)s; allocations cannot exceed it.")
            % {"amount": amount(program.budget_cap, currency)}
        )
    return said


def program_rules_in_words(program: Program) -> list[str]:
    currency = program.currency
    said: list[str] = []
    period = program.get_calendar_display().lower()
    if program.kind == "mdf":
        return _mdf_words(program, period)
    if program.kind == "rebate":
        brackets = "; ".join(
            _("from %(threshold)s: %(rate)s")
            % {"threshold": amount(b.threshold, currency), "rate": percent(b.rate)}
            for b in program.brackets.all()
        )
        if program.rebate_method == "marginal":
            said.append(
                _(
                    "Partners earn a share of their eligible won revenue in each period "
                    "(%(period)s). Each bracket's rate applies only to the part of the volume "
                    "inside it: %(brackets)s."
                )
                % {"period": period, "brackets": brackets}
            )
        else:
            said.append(
                _(
                    "Partners earn a share of their eligible won revenue in each period "
                    "(%(period)s). The highest bracket the volume reaches (at least its "
                    "threshold) applies to all of it: %(brackets)s."
                )
                % {"period": period, "brackets": brackets}
            )
        own = [r for r in program.rates.all() if r.product_id]
        if own:
            said.append(
                _(
                    "These products have their own rate, which takes precedence over the "
                    "bracket rate; their revenue still counts towards the volume: %(rates)s."
                )
                % {"rates": "; ".join(f"{r.product.name} {_rate_words(r, currency)}" for r in own)}
            )
        said.append(_("The partner's tier rebate multiplier applies on top."))
    else:
        base = (
            _("%(rate)s of each won deal's revenue") % {"rate": percent(program.percent)}
            if program.percent is not None
            else _("%(amount)s per won deal") % {"amount": amount(program.fixed_amount, currency)}
        )
        if program.kind == "spif" and program.pays_in == "points":
            said.append(
                _(
                    "The rep who registered a qualifying won deal earns %(points)s points, "
                    "credited when the deal is won."
                )
                % {"points": int(program.fixed_amount)}
            )
            if program.min_deal_amount:
                said.append(
                    _("A deal qualifies from %(amount)s.")
                    % {"amount": amount(program.min_deal_amount, currency)}
                )
        elif program.kind == "spif":
            said.append(
                _("The rep who registered a qualifying won deal earns %(base)s.") % {"base": base}
            )
            if program.min_deal_amount:
                said.append(
                    _("A deal qualifies from %(amount)s.")
                    % {"amount": amount(program.min_deal_amount, currency)}
                )
        elif program.kind == "registration_bonus":
            said.append(
                _(
                    "Partners earn %(base)s on deals they registered and had approved on or "
                    "before the day the deal closed."
                )
                % {"base": base}
            )
        else:
            said.append(_("Partners earn %(base)s.") % {"base": base})
        rates = list(program.rates.all())
        if rates:
            said.append(
                _("The most specific rate takes precedence: %(rates)s.")
                % {"rates": "; ".join(f"{_who(r)} {_rate_words(r, currency)}" for r in rates)}
            )
    said.extend(_eligibility_words(program))
    said.append(
        _("Revenue in other currencies is converted with the rate effective on its close date.")
    )
    if program.minimum_payout:
        said.append(
            _("Amounts below %(amount)s roll over to the next run.")
            % {"amount": amount(program.minimum_payout, currency)}
        )
    if program.budget_cap is not None:
        said.append(
            _("The program's budget is %(amount)s.")
            % {"amount": amount(program.budget_cap, currency)}
        )
    return said


def _eligibility_words(program: Program) -> list[str]:
    said = []
    tiers = [t.name for t in program.eligible_tiers.all()]
    if tiers:
        said.append(_("For partners in these tiers: %(tiers)s.") % {"tiers": ", ".join(tiers)})
    if program.eligible_types:
        said.append(
            _("For these partner types: %(types)s.")
            % {
                "types": ", ".join(
                    str(dict(PartnerType.choices).get(t, t)) for t in program.eligible_types
                )
            }
        )
    places = [*program.eligible_countries, *program.eligible_regions]
    if places:
        said.append(_("For partners in: %(places)s.") % {"places": ", ".join(places)})
    products = [p.name for p in program.eligible_products.all()]
    if products:
        said.append(
            _("Only revenue of these products counts: %(products)s.")
            % {"products": ", ".join(products)}
        )
    return said
