"""Shared set-up for the incentive tests: programs, won revenue, runs."""

import datetime
from decimal import Decimal

from deals.models import DealRegistration, Product, RevenueLine
from deals.normalise import customer_key
from incentives.brackets import Bracket
from incentives.models import PayoutRun
from incentives.program_rules import ProgramTerms, RateTerm
from incentives.services.programs import program_activate, program_create
from incentives.services.runs import payout_run_calculate, payout_run_create
from partners.models import Partner
from tests.world import staff

D = Decimal
Q3 = (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
LADDER = (Bracket(D("0"), D("2")), Bracket(D("100000"), D("4")), Bracket(D("500000"), D("6")))

__all__ = ["D", "LADDER", "Q3", "RateTerm"]


def product(code: str) -> Product:
    return Product.objects.get_or_create(code=code, defaults={"name": code.title()})[0]


def partner(name: str, **fields) -> Partner:
    return Partner.objects.create(
        name=name, partner_type=fields.pop("partner_type", "reseller"), **fields
    )


def program(kind="rebate", *, activate=True, **terms):
    defaults = dict(
        name=f"{kind} program",
        kind=kind,
        calendar="quarterly",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        currency="USD",
    )
    if kind == "rebate":
        defaults.update(rebate_method="retroactive", brackets=LADDER)
    created = program_create(terms=ProgramTerms(**{**defaults, **terms}), by=staff())
    return program_activate(program=created, by=staff()) if activate else created


def won(
    partner,
    amount,
    *,
    on=datetime.date(2026, 8, 15),
    code="CORE",
    currency="USD",
    by=None,
    approved_on=None,
) -> RevenueLine:
    """A won registration of ``partner`` with one revenue line."""
    registration = DealRegistration.objects.create(
        partner=partner,
        registered_by=by or staff().user,
        customer_name=f"Customer {DealRegistration.objects.count()}",
        customer_key=customer_key(f"Customer {DealRegistration.objects.count()}"),
        customer_country="US",
        estimated_value=D(amount),
        currency=currency,
        expected_close_date=on,
        status="won",
        won_amount=D(amount),
        closed_on=on,
        submitted_at=approved_on and datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC),
        decided_at=approved_on
        and datetime.datetime.combine(approved_on, datetime.time(12), tzinfo=datetime.UTC),
    )
    return RevenueLine.objects.create(
        partner=partner,
        registration=registration,
        product=product(code),
        amount=D(amount),
        currency=currency,
        closed_on=on,
        source="registration",
    )


def reverse(line, amount, *, on=datetime.date(2026, 8, 20)) -> RevenueLine:
    return RevenueLine.objects.create(
        partner_id=line.partner_id,
        registration_id=line.registration_id,
        product_id=line.product_id,
        amount=-D(amount),
        currency=line.currency,
        closed_on=on,
        source="reversal",
        reverses=line,
        reason="credit note",
    )


def run_of(program, *, day=Q3[0], as_of=None, by=None) -> PayoutRun:
    """Create and calculate (here, without a worker) the run of the period."""
    run = payout_run_create(program=program, day=day, as_of=as_of, by=by or finance())
    payout_run_calculate(run_id=run.pk)
    run.refresh_from_db()
    return run


def finance():
    from prm.models import Membership

    return Membership.objects.filter(role="finance", is_active=True).order_by("pk").first()


def approve(run, by):
    from incentives.services.runs import payout_run_approve

    return payout_run_approve(run=run, by=by)


def amounts(run) -> dict:
    """{payee name: payable} of a run."""
    return {p.partner.name: p.payable for p in run.payouts.select_related("partner")}
