"""Paid once, for real: a run calculated by the worker twice and by two
connections at once, and two finance users pressing the same button at the
same moment, end in one set of lines, one approval and one payment."""

import datetime
import os
import signal
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import F

from incentives.models import Payout, PayoutItem, PayoutPayment, PayoutRun
from incentives.services.runs import (
    payout_run_approve,
    payout_run_calculate,
    payout_run_create,
    payout_run_mark_paid,
    payout_run_recalculate,
)
from prm.celery import app
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.celery_worker import WorkerProcess, wait_for
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


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND state = 'active' AND query = 'COMMIT'"
        )
        return cursor.fetchone()[0] > 0


def test_a_worker_killed_mid_calculation_leaves_nothing_and_the_redelivery_finishes(
    celery_worker, tx_world
):
    """The calculation is one transaction: SIGKILL the worker when it has
    written every line and waits to commit (the deferred foreign-key check
    waits on a revenue line the test holds), and nothing of it remains; the
    message, never acknowledged, comes back to the next worker, which writes
    the whole run."""
    w = tx_world
    commission = _revenue(w)
    with tenant_context(w.a.pk):
        run = payout_run_create(program=commission, day=datetime.date(2026, 8, 1), by=w.finance)
    wait_for(lambda: _snapshot(w, run.pk)[0] == "draft")
    celery_worker.wait_until_idle()
    expected = _snapshot(w, run.pk)
    with tenant_context(w.a.pk):
        before = set(PayoutItem.objects.filter(run_id=run.pk).values_list("pk", flat=True))
        # A new calculation is asked for, but only the doomed worker will hear of it.
        PayoutRun.objects.filter(pk=run.pk).update(
            status="calculating", requested=F("requested") + 1
        )
    prefix = f"prm-kill-{uuid.uuid4().hex[:8]}"
    short = {
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        # A killed worker's server process finds out at once, as after a crash.
        "PGOPTIONS": "-c client_connection_check_interval=100",
    }
    doomed = WorkerProcess(prefix=prefix, env=short)
    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cursor:
            # Hold one revenue line: the INSERT's foreign-key check must wait for it.
            cursor.execute("BEGIN")
            cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(w.a.pk)])
            cursor.execute(
                "SELECT id FROM deals_revenueline WHERE tenant_id = %s ORDER BY id DESC "
                "LIMIT 1 FOR UPDATE",
                [w.a.pk],
            )
            doomed.start()
            app.send_task(
                "incentives.payout_run_calculate",
                args=[w.a.pk, run.pk],
                queue=f"{prefix}.batch",
            )
            wait_for(_waiting_on_a_lock)
            os.kill(doomed.process.pid, signal.SIGKILL)
            doomed.process.wait(timeout=10)
            # PostgreSQL notices the dead client and aborts its transaction.
            wait_for(lambda: not _waiting_on_a_lock())
            cursor.execute("ROLLBACK")
    finally:
        holder.close()
        doomed.stop()
    # The killed worker's transaction never committed: the draft it was
    # replacing is still there, line for line.
    with tenant_context(w.a.pk):
        assert PayoutRun.objects.get(pk=run.pk).status == "calculating"
        assert set(PayoutItem.objects.filter(run_id=run.pk).values_list("pk", flat=True)) == before
    heir = WorkerProcess(prefix=prefix, env=short)
    heir.start()
    try:
        wait_for(lambda: _snapshot(w, run.pk)[0] == "draft", timeout=60)
    finally:
        heir.stop()
    assert _snapshot(w, run.pk) == expected
    with tenant_context(w.a.pk):
        assert not before & set(
            PayoutItem.objects.filter(run_id=run.pk).values_list("pk", flat=True)
        )
