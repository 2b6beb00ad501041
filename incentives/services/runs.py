"""Payout runs: create, calculate, decide the budget, approve, pay.

Paid once: one open run per program period (a unique constraint), a
calculation that replaces the draft's lines in one transaction and does
nothing when the request it answers was answered already, approvals and
payments serialised on the run's row, one payment per payout (a unique
constraint), and a database trigger that freezes an approved run."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.actions import action, system_action
from prm.actors import SYSTEM, actor_user
from prm.audit import audit_record
from prm.enqueue import enqueue_after_commit
from prm.models import Membership
from prm.policies import can_approve_payouts, can_prepare_payouts
from prm.tenancy import require_tenant_id

from ..brackets import allocate
from ..earnings import RunScope, calculate, missing_rates
from ..mdf_ledger import claims_paid
from ..models import (
    BudgetDecision,
    ItemKind,
    Payout,
    PayoutItem,
    PayoutPayment,
    PayoutRun,
    PayoutStatus,
    PaysIn,
    Program,
    ProgramStatus,
    RunStatus,
)
from ..notifications import notify_payout_run_approved
from ..periods import period_of, periods_between
from ..progress import progress_clear, progress_report
from ..states import run_can_recalculate, run_needs_budget_decision

CALCULATE = "incentives.payout_run_calculate"


def _progress(run: PayoutRun, step: int, label: str) -> None:
    progress_report(tenant_id=run.tenant_id, run_id=run.pk, step=step, label=label)


def _open_run(program: Program, period_start: datetime.date) -> PayoutRun | None:
    return (
        PayoutRun.objects.filter(program=program, period_start=period_start)
        .filter(status__in=[RunStatus.CALCULATING, RunStatus.DRAFT, RunStatus.FAILED])
        .first()
    )


def _create(program: Program, day: datetime.date, as_of, by) -> PayoutRun:
    if program.status == ProgramStatus.DRAFT:
        raise ValidationError(_("Activate the program before paying it out."))
    if program.pays_in == PaysIn.POINTS:
        raise ValidationError(
            _("This SPIF pays in points, credited as deals are won: it has no payout runs.")
        )
    period = period_of(program.calendar, program.starts_on, program.ends_on, day)
    if period is None:
        raise ValidationError({"period": _("The program does not run on that date.")})
    today = timezone.localdate()
    as_of = as_of or min(period.end, today)
    if not period.start <= as_of <= period.end:
        raise ValidationError({"as_of": _("The cut-off date must lie in the period.")})
    if period.start > today:
        raise ValidationError({"period": _("This period has not started yet.")})
    existing = _open_run(program, period.start)
    if existing:
        return existing
    try:
        with transaction.atomic():
            run = PayoutRun.objects.create(
                program=program,
                period_start=period.start,
                period_end=period.end,
                as_of=as_of,
                currency=program.currency,
                prepared_by=by if isinstance(by, Membership) else None,
            )
    except IntegrityError:
        # Someone (or the schedule) opened this period's run a moment ago.
        return _open_run(program, period.start)
    audit_record(actor=actor_user(by), action="payout_run.created", target=run)
    enqueue_after_commit(CALCULATE, run.pk)
    return run


@action(can_prepare_payouts, system=True)
def payout_run_create(
    *,
    program: Program,
    day: datetime.date,
    by: Membership,
    as_of: datetime.date | None = None,
) -> PayoutRun:
    """Open the run of the program period holding ``day`` (revenue closed up to
    ``as_of``, by default the period's end or today) and have a worker
    calculate it.  A period has one open run: asking again gives that run."""
    with transaction.atomic():
        return _create(program, day, as_of, by)


@action(can_prepare_payouts)
def payout_run_recalculate(
    *, run: PayoutRun, by: Membership, as_of: datetime.date | None = None
) -> PayoutRun:
    """Calculate a draft (or a failed run) again, e.g. after new revenue or
    exchange rates; its lines are replaced as a whole."""
    with transaction.atomic():
        run = PayoutRun.objects.select_for_update().get(pk=run.pk)
        if not run_can_recalculate(run):
            raise ValidationError(_("Only a draft run can be calculated again."))
        if as_of is not None:
            if not run.period_start <= as_of <= run.period_end:
                raise ValidationError({"as_of": _("The cut-off date must lie in the period.")})
            run.as_of = as_of
        run.status = RunStatus.CALCULATING
        run.requested += 1
        run.prepared_by = by
        run.budget_decision, run.budget_decided_by = BudgetDecision.NONE, None
        run.save()
        audit_record(actor=by.user, action="payout_run.recalculated", target=run)
        enqueue_after_commit(CALCULATE, run.pk)
    return run


def _previous_run_id(run: PayoutRun) -> int | None:
    """The program's last approved run: its carried balances come forward."""
    return (
        PayoutRun.objects.filter(
            program_id=run.program_id, status__in=[RunStatus.APPROVED, RunStatus.PAID]
        )
        .order_by("-approved_at")
        .values_list("pk", flat=True)
        .first()
    )


def _budget_left(run: PayoutRun, program: Program) -> Decimal | None:
    if program.budget_cap is None:
        return None
    spent = PayoutRun.objects.filter(
        program=program, status__in=[RunStatus.APPROVED, RunStatus.PAID]
    ).aggregate(spent=Sum("total"))["spent"] or Decimal("0")
    return max(program.budget_cap - spent, Decimal("0"))


def _clear(run_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM incentives_payoutitem WHERE run_id = %s", [run_id])
        cursor.execute("DELETE FROM incentives_payout WHERE run_id = %s", [run_id])


@system_action
def payout_run_calculate(*, run_id: int) -> PayoutRun | None:
    """The worker's job: compute every earning of the run into its draft, in
    one transaction.  Idempotent: a calculation already answered (a second
    delivery, a second worker waiting on the row lock) does nothing; a worker
    killed midway leaves nothing behind, and the redelivered task starts over.
    A missing exchange rate fails the run with the list of what is missing."""
    run = PayoutRun.objects.select_for_update().select_related("program").filter(pk=run_id).first()
    if run is None or run.status != RunStatus.CALCULATING or run.calculated >= run.requested:
        return None
    program = run.program
    if program.kind == "mdf":
        # Runs of one MDF program take turns: a claim goes to the first that
        # calculates and stays there (a unique constraint backs this up).
        Program.objects.select_for_update().filter(pk=program.pk).first()
    scope = RunScope(
        tenant_id=require_tenant_id(),
        run_id=run.pk,
        program=program,
        start=run.period_start,
        upto=run.as_of,
        previous_run_id=_previous_run_id(run),
    )
    _progress(run, 1, "rates")
    missing = missing_rates(scope)
    _progress(run, 2, "clear")
    _clear(run.pk)
    run.calculated = run.requested
    run.calculated_at = timezone.now()
    if missing:
        run.status = RunStatus.FAILED
        run.problems = [{"currency": c, "date": d.isoformat()} for c, d in missing]
        run.total, run.budget_left = Decimal("0"), None
        run.save()
        progress_clear(tenant_id=run.tenant_id, run_id=run.pk)
        return run
    _progress(run, 3, "earnings")
    calculate(scope)
    _progress(run, 4, "totals")
    run.total = Payout.objects.filter(run=run).aggregate(t=Sum("payable"))["t"] or Decimal("0")
    run.budget_left = _budget_left(run, program)
    run.status, run.problems = RunStatus.DRAFT, []
    run.save()
    audit_record(actor=None, action="payout_run.calculated", target=run, total=str(run.total))
    progress_clear(tenant_id=run.tenant_id, run_id=run.pk)
    return run


@action(can_prepare_payouts)
def payout_run_budget_decide(*, run: PayoutRun, decision: str, by: Membership) -> PayoutRun:
    """A run over the program's budget is either scaled down pro rata (each
    payable payout gets its share of what is left, to the cent, as a budget
    item) or approved over the budget; the decision is recorded."""
    if decision not in (BudgetDecision.PRO_RATA, BudgetDecision.OVER_BUDGET):
        raise ValidationError(_("Choose pro-rata scaling or approval over the budget."))
    with transaction.atomic():
        run = PayoutRun.objects.select_for_update().select_related("program").get(pk=run.pk)
        if not run_needs_budget_decision(run):
            raise ValidationError(_("This run does not wait for a budget decision."))
        if decision == BudgetDecision.PRO_RATA:
            _scale_to_budget(run)
        run.budget_decision, run.budget_decided_by = decision, by
        run.save()
        audit_record(
            actor=by.user, action="payout_run.budget_decided", target=run, decision=decision
        )
    return run


def _scale_to_budget(run: PayoutRun) -> None:
    payouts = list(Payout.objects.filter(run=run, status=PayoutStatus.PAYABLE).order_by("pk"))
    shares = allocate(run.budget_left, [p.payable for p in payouts]) if payouts else []
    items = []
    for payout, share in zip(payouts, shares, strict=True):
        cut = share - payout.payable
        if cut:
            items.append(
                PayoutItem(
                    run=run,
                    payout=payout,
                    program_id=run.program_id,
                    period_start=run.period_start,
                    partner_id=payout.partner_id,
                    person_id=payout.person_id,
                    kind=ItemKind.BUDGET,
                    rule="pro_rata",
                    rule_detail=f"{run.budget_left}/{run.total}",
                    amount=cut,
                )
            )
        payout.total = payout.payable = share
        if share == 0:
            payout.status = PayoutStatus.NOTHING
    PayoutItem.objects.bulk_create(items)
    Payout.objects.bulk_update(payouts, ["total", "payable", "status"])
    run.total = sum(shares, Decimal("0"))


@action(can_approve_payouts)
def payout_run_approve(*, run: PayoutRun, by: Membership) -> PayoutRun:
    """Draft → approved: the run is frozen from now on.  Above the program's
    four-eyes amount the person who prepared the run cannot approve it; a run
    over budget needs its budget decision first; a run calculated before
    another run of the program was approved must be calculated again."""
    with transaction.atomic():
        run = PayoutRun.objects.select_for_update().select_related("program").get(pk=run.pk)
        if run.status in (RunStatus.APPROVED, RunStatus.PAID):
            raise ValidationError(_("This run has been approved already."))
        if run.status != RunStatus.DRAFT:
            raise ValidationError(_("Only a calculated draft can be approved."))
        if run_needs_budget_decision(run):
            raise ValidationError(
                _("This run is over the program's budget: decide how to handle it first.")
            )
        if run.total > run.program.four_eyes_above and run.prepared_by_id == by.pk:
            raise ValidationError(
                _(
                    "Runs above %(amount)s need a second person: someone other than the "
                    "preparer must approve this one."
                )
                % {"amount": run.program.four_eyes_above}
            )
        stale = PayoutRun.objects.filter(
            program_id=run.program_id, approved_at__gt=run.calculated_at
        ).exists()
        if stale:
            raise ValidationError(
                _("Another run of this program was approved since: calculate this one again.")
            )
        run.status, run.approved_by, run.approved_at = RunStatus.APPROVED, by, timezone.now()
        if not Payout.objects.filter(run=run, status=PayoutStatus.PAYABLE).exists():
            run.status, run.paid_at = RunStatus.PAID, run.approved_at
        run.save()
        audit_record(actor=by.user, action="payout_run.approved", target=run, total=str(run.total))
        notify_payout_run_approved(run, by)
    return run


def _payment_check(paid_on, reference: str) -> str:
    errors = {}
    reference = (reference or "").strip()
    if not isinstance(paid_on, datetime.date):
        errors["paid_on"] = _("Enter the payment date.")
    elif paid_on > timezone.localdate():
        errors["paid_on"] = _("The payment date cannot be in the future.")
    if not reference:
        errors["reference"] = _("Enter the payment reference.")
    elif len(reference) > 100:
        errors["reference"] = _("Keep the reference to 100 characters.")
    if errors:
        raise ValidationError(errors)
    return reference


def _close_if_paid(run: PayoutRun) -> None:
    unpaid = Payout.objects.filter(
        run=run, status=PayoutStatus.PAYABLE, payment__isnull=True
    ).exists()
    if not unpaid:
        run.status, run.paid_at = RunStatus.PAID, timezone.now()
        run.save(update_fields=["status", "paid_at", "updated_at"])


@action(can_approve_payouts)
def payout_mark_paid(
    *, payout: Payout, paid_on: datetime.date, reference: str, by: Membership
) -> PayoutPayment:
    """Record the payment of one payout of an approved run; a payout is paid
    once."""
    reference = _payment_check(paid_on, reference)
    with transaction.atomic():
        run = PayoutRun.objects.select_for_update().get(pk=payout.run_id)
        if run.status not in (RunStatus.APPROVED, RunStatus.PAID):
            raise ValidationError(_("Approve the run before recording payments."))
        payout = Payout.objects.get(pk=payout.pk)
        if payout.status != PayoutStatus.PAYABLE:
            raise ValidationError(_("Nothing is payable on this line."))
        if PayoutPayment.objects.filter(payout=payout).exists():
            raise ValidationError(_("This payout has been paid already."))
        payment = PayoutPayment.objects.create(
            payout=payout, run=run, paid_on=paid_on, reference=reference, recorded_by=by
        )
        claims_paid(payout_ids=[payout.pk], by=by)
        _close_if_paid(run)
        audit_record(actor=by.user, action="payout.paid", target=payout, reference=reference)
    return payment


@action(can_approve_payouts)
def payout_run_mark_paid(
    *, run: PayoutRun, paid_on: datetime.date, reference: str, by: Membership
) -> int:
    """Record one payment for every payable payout of the run not paid yet;
    returns how many were recorded."""
    reference = _payment_check(paid_on, reference)
    with transaction.atomic():
        run = PayoutRun.objects.select_for_update().get(pk=run.pk)
        if run.status == RunStatus.PAID:
            raise ValidationError(_("Every payout of this run has been paid already."))
        if run.status != RunStatus.APPROVED:
            raise ValidationError(_("Approve the run before recording payments."))
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO incentives_payoutpayment
                    (tenant_id, payout_id, run_id, paid_on, reference, recorded_by_id, recorded_at)
                SELECT p.tenant_id, p.id, p.run_id, %s, %s, %s, now()
                FROM incentives_payout p
                WHERE p.run_id = %s AND p.status = 'payable'
                ON CONFLICT (payout_id) DO NOTHING
                """,
                [paid_on, reference, by.pk, run.pk],
            )
            recorded = cursor.rowcount
        claims_paid(
            payout_ids=list(
                Payout.objects.filter(run=run, payment__isnull=False).values_list("pk", flat=True)
            ),
            by=by,
        )
        _close_if_paid(run)
        audit_record(
            actor=by.user,
            action="payout_run.paid",
            target=run,
            payments=recorded,
            reference=reference,
        )
    return recorded


@system_action
def payout_runs_schedule(*, today: datetime.date) -> list[int]:
    """Open (and have calculated) the run of every ended period of the active
    programs that has no run yet; returns the new runs' ids."""
    created = []
    programs = Program.objects.filter(status=ProgramStatus.ACTIVE, starts_on__lt=today)
    for program in programs.exclude(pays_in=PaysIn.POINTS):
        have = set(PayoutRun.objects.filter(program=program).values_list("period_start", flat=True))
        for period in periods_between(program.calendar, program.starts_on, program.ends_on):
            if period.end >= today or period.start in have:
                continue
            with transaction.atomic():
                run = _create(program, period.start, period.end, SYSTEM)
            created.append(run.pk)
    return created
