"""A partner's live estimate: what it has earned so far this period in each
active rebate program, and what the next bracket needs and would add.  An
estimate (labelled as such): the run calculates what is paid."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from deals.models import RevenueLine
from partners.models import Partner

from ..brackets import Bracket, NextBracket, RevenueInput, next_bracket, rebate_lines
from ..models import ExchangeRate, Program, ProgramStatus
from ..periods import Period, period_of


@dataclass(frozen=True)
class Estimate:
    program: Program
    period: Period
    volume: Decimal
    earned: Decimal
    next: NextBracket | None
    next_adds: Decimal | None  # what reaching the next bracket adds, multiplier applied
    unconverted: int  # lines left out for want of an exchange rate


def _rate(rates: dict, currency: str, target: str, day: datetime.date) -> Decimal | None:
    if currency == target:
        return Decimal("1")
    for effective_on, rate in rates.get((currency, target), ()):
        if effective_on <= day:
            return rate
    return None


def _eligible(program: Program, partner: Partner) -> bool:
    tiers = {t.pk for t in program.eligible_tiers.all()}
    if tiers and partner.tier_id not in tiers:
        return False
    if program.eligible_types and partner.partner_type not in program.eligible_types:
        return False
    places = program.eligible_countries or program.eligible_regions
    if places and not (
        partner.country in program.eligible_countries
        or set(partner.regions) & set(program.eligible_regions)
    ):
        return False
    return True


def earnings_estimates(*, partner: Partner, today: datetime.date) -> list[Estimate]:
    """One estimate per active rebate program the partner takes part in."""
    programs = (
        Program.objects.filter(status=ProgramStatus.ACTIVE, kind="rebate")
        .filter(starts_on__lte=today, ends_on__gte=today)
        .prefetch_related("brackets", "rates", "eligible_tiers", "eligible_products")
        .order_by("name")
    )
    rates: dict = {}
    for row in ExchangeRate.objects.order_by("-effective_on"):
        rates.setdefault((row.currency, row.to_currency), []).append((row.effective_on, row.rate))
    multiplier = partner.tier.rebate_multiplier if partner.tier else Decimal("1")
    estimates = []
    for program in programs:
        if not _eligible(program, partner):
            continue
        period = period_of(program.calendar, program.starts_on, program.ends_on, today)
        lines = RevenueLine.objects.filter(
            partner=partner, reverses__isnull=True, closed_on__range=(period.start, today)
        )
        products = {p.pk for p in program.eligible_products.all()}
        if products:
            lines = lines.filter(product_id__in=products)
        inputs, unconverted = [], 0
        for line in lines.only("pk", "product_id", "amount", "currency", "closed_on"):
            rate = _rate(rates, line.currency, program.currency, line.closed_on)
            if rate is None:
                unconverted += 1
                continue
            inputs.append(RevenueInput(line.pk, line.product_id, line.amount * rate))
        brackets = [Bracket(b.threshold, b.rate) for b in program.brackets.all()]
        own = {
            r.product_id: r.percent
            for r in program.rates.all()
            if r.product_id and r.tier_id is None and r.percent is not None
        }
        paid = rebate_lines(
            inputs, brackets, program.rebate_method, product_rates=own, multiplier=multiplier
        )
        volume = sum((i.amount for i in inputs), Decimal("0"))
        upcoming = next_bracket(brackets, volume, program.rebate_method)
        estimates.append(
            Estimate(
                program=program,
                period=period,
                volume=volume.quantize(Decimal("0.01")),
                earned=sum((p.amount for p in paid), Decimal("0")),
                next=upcoming,
                next_adds=(upcoming.rebate_added * multiplier).quantize(Decimal("0.01"))
                if upcoming
                else None,
                unconverted=unconverted,
            )
        )
    return estimates
