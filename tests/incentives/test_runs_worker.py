"""Paid once, for real: a run calculated by the worker twice and by two
connections at once, and two finance users pressing the same button at the
same moment, end in one set of lines, one approval and one payment."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from incentives.models import Payout, PayoutItem, PayoutPayment, PayoutRun
from incentives.services.runs import (
    payout_run_approve,
    payout_run_calculate,
    payout_run_create,
    payout_run_mark_paid,
    payout_run_recalculate,
)
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.celery_worker import wait_for
from tests.concurrency import run_together
from tests.incentives.setup_incentives import D, partner, program, won
from tests.world import make_member

pytestmark = pytest.mark.worker


def _revenue(w):
    with tenant_context(w.a.pk):
        commission = program("commission", percent=D("10"))
        for n in range(12):
            won(partner(f"Firm {n}"), f"{1000 + n}.00")
    return commission


def _snapshot(w, run_id):
    with tenant_context(w.a.pk):
        run = PayoutRun.objects.get(pk=run_id)
        items = sorted(
            PayoutItem.objects.filter(run_id=run_id).values_list(
                "partner__name", "revenue_line_id", "amount"
            )
        )
        return run.status, run.total, Payout.objects.filter(run_id=run_id).count(), items


def test_a_run_calculated_twice_by_the_worker_and_by_two_connections_is_one_run(
    celery_worker, tx_world
):
    w = tx_world
    commission = _revenue(w)
    with tenant_context(w.a.pk):
        run = payout_run_create(program=commission, day=datetime.date(2026, 8, 1), by=w.finance)
    wait_for(lambda: _snapshot(w, run.pk)[0] == "draft")
    first = _snapshot(w, run.pk)
    assert first[1] == D("1206.60") and first[2] == 12 and len(first[3]) == 12

    # The same calculation delivered twice to the worker.
    with tenant_context(w.a.pk):
        payout_run_recalculate(run=run, by=w.finance)
    from incentives.tasks.runs import payout_run_calculate as task

    task.delay(w.a.pk, run.pk)
    wait_for(lambda: _snapshot(w, run.pk)[0] == "draft")
    celery_worker.wait_until_idle()
    assert _snapshot(w, run.pk) == first

    # Two connections calculating the same request at once: one does it, the
    # other finds it answered.
    with tenant_context(w.a.pk):
        PayoutRun.objects.filter(pk=run.pk).update(status="calculating", requested=99)

    def calculate():
        with tenant_context(w.a.pk):
            return payout_run_calculate(run_id=run.pk) is not None

    assert sorted(run_together(calculate, calculate)) == [False, True]
    assert _snapshot(w, run.pk) == first


def test_two_finance_users_approving_and_paying_at_once_make_one_of_each(tx_world):
    w = tx_world
    commission = _revenue(w)
    second = make_member(w.a, "finance2@a.test", Role.FINANCE)
    with tenant_context(w.a.pk):
        run = payout_run_create(program=commission, day=datetime.date(2026, 8, 1), by=w.finance)
        payout_run_calculate(run_id=run.pk)

    def press(action):
        def job():
            with tenant_context(w.a.pk):
                try:
                    action()
                    return "done"
                except ValidationError as error:
                    return error.messages[0]

        return job

    approvals = run_together(
        press(lambda: payout_run_approve(run=run, by=second)),
        press(lambda: payout_run_approve(run=run, by=w.finance)),
    )
    assert sorted(approvals) == ["This run has been approved already.", "done"]
    today = datetime.date.today()
    payments = run_together(
        press(lambda: payout_run_mark_paid(run=run, paid_on=today, reference="A", by=second)),
        press(lambda: payout_run_mark_paid(run=run, paid_on=today, reference="B", by=w.finance)),
    )
    assert sorted(payments) == ["Every payout of this run has been paid already.", "done"]
    with tenant_context(w.a.pk):
        assert PayoutPayment.objects.filter(run=run).count() == 12
        assert len(set(PayoutPayment.objects.filter(run=run).values_list("reference"))) == 1


def test_two_people_opening_the_same_period_at_once_open_one_run(tx_world):
    w = tx_world
    commission = _revenue(w)
    second = make_member(w.a, "finance2@a.test", Role.FINANCE)

    def open_run(by):
        def job():
            with tenant_context(w.a.pk):
                return payout_run_create(
                    program=commission, day=datetime.date(2026, 8, 1), by=by
                ).pk

        return job

    first, other = run_together(open_run(w.finance), open_run(second))
    assert first == other
    with tenant_context(w.a.pk):
        assert PayoutRun.objects.filter(program=commission).count() == 1
