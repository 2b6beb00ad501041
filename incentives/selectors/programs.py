"""Programs and exchange rates as the console shows them."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404

from prm import policies
from prm.models import Membership

from ..brackets import Bracket, next_bracket, rebate
from ..models import ExchangeRate, Program, ProgramBracket, ProgramProduct, ProgramRate, ProgramTier
from ..program_rules import ProgramTerms, RateTerm

SCALARS = (
    "name",
    "kind",
    "calendar",
    "starts_on",
    "ends_on",
    "currency",
    "description",
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
)


def programs_visible_to(*, membership: Membership) -> QuerySet[Program]:
    """Every program for the vendor's staff who run or pay them; none otherwise."""
    if policies.can_view_payouts(membership) or policies.can_manage_programs(membership):
        return Program.objects.all()
    return Program.objects.none()


def program_get(*, membership: Membership, program_id: int) -> Program:
    program = (
        programs_visible_to(membership=membership)
        .prefetch_related("brackets", "rates__product", "rates__tier")
        .prefetch_related("eligible_tiers", "eligible_products")
        .filter(pk=program_id)
        .first()
    )
    if program is None:
        raise Http404
    return program


def exchange_rates(*, membership: Membership) -> QuerySet[ExchangeRate]:
    if not policies.can_view_payouts(membership):
        return ExchangeRate.objects.none()
    return ExchangeRate.objects.order_by("currency", "to_currency", "-effective_on")


def program_preview(program: Program, volume: Decimal) -> dict:
    """What a partner with ``volume`` of eligible revenue earns (before any tier
    multiplier or product rate), and what the next bracket would add."""
    if program.kind != "rebate":
        return {}
    brackets = [Bracket(b.threshold, b.rate) for b in program.brackets.all()]
    if not brackets:
        return {}
    upcoming = next_bracket(brackets, volume, program.rebate_method)
    return {
        "volume": volume,
        "earns": rebate(brackets, volume, program.rebate_method).quantize(Decimal("0.01")),
        "next": upcoming,
    }


def program_terms(program: Program) -> ProgramTerms:
    """A program's terms, as a form or a new version starts from them."""
    return ProgramTerms(
        **{name: getattr(program, name) for name in SCALARS},
        eligible_tier_ids=tuple(
            ProgramTier.objects.filter(program=program).values_list("tier_id", flat=True)
        ),
        eligible_types=tuple(program.eligible_types),
        eligible_countries=tuple(program.eligible_countries),
        eligible_regions=tuple(program.eligible_regions),
        eligible_product_ids=tuple(
            ProgramProduct.objects.filter(program=program).values_list("product_id", flat=True)
        ),
        brackets=tuple(
            Bracket(b.threshold, b.rate) for b in ProgramBracket.objects.filter(program=program)
        ),
        rates=tuple(
            RateTerm(r.product_id, r.tier_id, r.percent, r.fixed_amount)
            for r in ProgramRate.objects.filter(program=program).order_by("pk")
        ),
    )
