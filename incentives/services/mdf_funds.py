"""Allocating market development funds to partners, and topping them up or
reducing them.

Allocations of a program never exceed its budget: every allocation takes the
program's row lock and counts what is allocated already.  A reduction never
takes a fund below what is committed, claimed or paid: it can only take what
is available."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from partners.models import Partner
from prm.actions import action
from prm.audit import audit_record
from prm.models import Membership
from prm.policies import can_manage_mdf
from prm.tenancy import require_tenant_id

from ..earnings import eligibility_clauses
from ..mdf_ledger import fund_locked, move
from ..mdf_rules import money_problem, revenue_share
from ..models import EntryKind, MdfAllocation, MdfEntry, MdfFund, Program, ProgramStatus
from ..periods import Period, period_of, previous_period

_REVENUE = """
WITH revenue AS (
    SELECT rl.partner_id,
           SUM(rl.amount * CASE WHEN rl.currency = %(currency)s THEN 1 ELSE fx.rate END)
               AS revenue,
           bool_or(rl.currency <> %(currency)s AND fx.rate IS NULL) AS missing_rate
    FROM deals_revenueline rl
    JOIN partners_partner p ON p.id = rl.partner_id
    LEFT JOIN LATERAL (
        SELECT x.rate FROM incentives_exchangerate x
        WHERE x.tenant_id = rl.tenant_id AND x.currency = rl.currency
          AND x.to_currency = %(currency)s AND x.effective_on <= rl.closed_on
        ORDER BY x.effective_on DESC LIMIT 1
    ) fx ON rl.currency <> %(currency)s
    WHERE rl.tenant_id = %(tenant)s AND rl.closed_on BETWEEN %(start)s AND %(end)s
    GROUP BY rl.partner_id
)
SELECT p.id, r.revenue, t.mdf_allocation_pct, COALESCE(r.missing_rate, false)
FROM partners_partner p
LEFT JOIN partners_tier t ON t.id = p.tier_id
LEFT JOIN revenue r ON r.partner_id = p.id
WHERE p.tenant_id = %(tenant)s AND p.status = 'active' {eligibility}
ORDER BY p.id
"""


def _mdf_program(program: Program) -> Program:
    """The program, locked, if its funds may be allocated."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    if program.kind != "mdf":
        raise ValidationError(_("Only a market development funds program allocates funds."))
    if program.status != ProgramStatus.ACTIVE:
        raise ValidationError(_("Activate the program before allocating its funds."))
    return program


def _period(program: Program, day: datetime.date) -> Period:
    period = period_of(program.calendar, program.starts_on, program.ends_on, day)
    if period is None:
        raise ValidationError({"period": _("The program does not run on that date.")})
    return period


def _budget_check(program: Program, adding: Decimal, field: str = "amount") -> None:
    if program.budget_cap is None:
        return
    allocated = MdfFund.objects.filter(program=program).aggregate(s=Sum("allocated"))["s"] or 0
    if allocated + adding > program.budget_cap:
        left = max(program.budget_cap - allocated, Decimal("0"))
        raise ValidationError(
            {
                field: _(
                    "This would exceed the program's budget: %(left)s %(currency)s is left "
                    "to allocate."
                )
                % {"left": left, "currency": program.currency}
            }
        )


Share = tuple[int, Decimal, Decimal | None, Decimal | None]


def _shares(program: Program, period: Period) -> list[Share]:
    """Per eligible active partner: (partner id, amount, basis revenue, basis %)."""
    clauses, params = eligibility_clauses(program, lines=False)
    if program.mdf_allocation == MdfAllocation.FIXED:
        ids = sorted(_eligible_ids(program, clauses, params))
        return [(pk, program.fixed_amount, None, None) for pk in ids]
    before = previous_period(program.calendar, program.starts_on, program.ends_on, period)
    with connection.cursor() as cursor:
        cursor.execute(
            _REVENUE.format(eligibility=clauses),
            {
                **params,
                "tenant": require_tenant_id(),
                "program": program.pk,
                "currency": program.currency,
                "start": before.start,
                "end": before.end,
            },
        )
        rows = cursor.fetchall()
    if any(missing for *_rest, missing in rows):
        raise ValidationError(
            _(
                "Some of last period's revenue is in a currency with no exchange rate to "
                "%(currency)s: add the rates first."
            )
            % {"currency": program.currency}
        )
    shares = []
    for partner_id, revenue, percent, _missing in rows:
        amount = revenue_share(revenue, percent)
        if amount > 0:
            shares.append((partner_id, amount, revenue.quantize(Decimal("0.01")), percent))
    return shares


def _eligible_ids(program: Program, clauses: str, params: dict) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id FROM partners_partner p WHERE p.tenant_id = %(tenant)s "
            "AND p.status = 'active'" + clauses,
            {**params, "tenant": require_tenant_id(), "program": program.pk},
        )
        return {row[0] for row in cursor.fetchall()}


@action(can_manage_mdf)
def mdf_funds_allocate(*, program: Program, day: datetime.date, by: Membership) -> int:
    """Allocate the funds of the program period holding ``day`` to every eligible
    active partner by the program's rule (a fixed amount, or last period's won
    revenue times the tier's MDF %).  Partners allocated already keep their
    fund; the rest are allocated in one go, or none when the budget would be
    exceeded.  Returns how many funds were created."""
    with transaction.atomic():
        program = _mdf_program(program)
        if program.mdf_allocation == MdfAllocation.MANUAL:
            raise ValidationError(_("This program's funds are allocated by hand, per partner."))
        period = _period(program, day)
        have = set(
            MdfFund.objects.filter(program=program, period_start=period.start).values_list(
                "partner_id", flat=True
            )
        )
        shares = [share for share in _shares(program, period) if share[0] not in have]
        _budget_check(program, sum((s[1] for s in shares), Decimal("0")), field="period")
        funds = MdfFund.objects.bulk_create(
            MdfFund(
                program=program,
                partner_id=partner_id,
                period_start=period.start,
                period_end=period.end,
                currency=program.currency,
                allocated=amount,
                available=amount,
                basis=program.mdf_allocation,
                basis_revenue=revenue,
                basis_percent=percent,
            )
            for partner_id, amount, revenue, percent in shares
        )
        MdfEntry.objects.bulk_create(
            MdfEntry(
                fund=fund,
                partner_id=fund.partner_id,
                kind=EntryKind.ALLOCATE,
                amount=fund.allocated,
                d_allocated=fund.allocated,
                d_available=fund.allocated,
                by=by,
            )
            for fund in funds
        )
        audit_record(
            actor=by.user,
            action="mdf.allocated",
            target=program,
            period=period.start.isoformat(),
            funds=len(funds),
        )
    return len(funds)


@action(can_manage_mdf)
def mdf_fund_allocate_one(
    *,
    program: Program,
    partner: Partner,
    day: datetime.date,
    amount: Decimal,
    by: Membership,
    note: str = "",
) -> MdfFund:
    """Allocate one partner's fund of the period holding ``day`` by hand.  A
    partner with a fund already is topped up or reduced instead."""
    problem = money_problem(amount)
    if problem:
        raise ValidationError({"amount": problem})
    with transaction.atomic():
        program = _mdf_program(program)
        period = _period(program, day)
        if MdfFund.objects.filter(
            program=program, partner=partner, period_start=period.start
        ).exists():
            raise ValidationError(
                {"partner": _("This partner has funds in this period: top them up instead.")}
            )
        _budget_check(program, amount)
        fund = MdfFund.objects.create(
            program=program,
            partner=partner,
            period_start=period.start,
            period_end=period.end,
            currency=program.currency,
            basis=MdfAllocation.MANUAL,
        )
        move(fund, EntryKind.ALLOCATE, amount, by=by, note=note)
        audit_record(actor=by.user, action="mdf.fund_allocated", target=fund, amount=str(amount))
    return fund


@action(can_manage_mdf)
def mdf_fund_adjust(*, fund: MdfFund, amount: Decimal, reason: str, by: Membership) -> MdfEntry:
    """Top a fund up (a positive amount, within the budget) or reduce it (a
    negative one, at most what is available), with a reason."""
    reason = (reason or "").strip()
    errors = {}
    if amount is None or amount == 0:
        errors["amount"] = _("Enter the amount to add (or, with a minus, to take away).")
    else:
        problem = money_problem(abs(amount))
        if problem:
            errors["amount"] = problem
    if not reason:
        errors["reason"] = _("Say why the fund changes.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        program = Program.objects.select_for_update().get(pk=fund.program_id)
        fund = fund_locked(fund.pk)
        if amount > 0:
            _budget_check(program, amount)
            entry = move(fund, EntryKind.TOP_UP, amount, by=by, note=reason)
        else:
            entry = move(fund, EntryKind.REDUCE, -amount, by=by, note=reason)
        audit_record(actor=by.user, action="mdf.fund_adjusted", target=fund, amount=str(amount))
    return entry
