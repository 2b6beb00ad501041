"""Statements for real: two finance people issuing at the same moment (two
runs, and one of them twice) on their own connections get gapless, unique
numbers and one statement per payee, and the worker renders every one of
them from the outbox; a message delivered again changes nothing."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings

from incentives.models import Payout, PayoutRun, Statement
from incentives.selectors.statements import statement_progress
from incentives.services.statements import statements_issue
from prm.models import Membership
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.celery_worker import wait_for
from tests.concurrency import run_together
from tests.incentives.setup_statements import YEAR, commission_runs, counter
from tests.world import make_member

pytestmark = pytest.mark.worker


def _issue(w, run_id, who):
    def job():
        with tenant_context(w.a.pk):
            run = PayoutRun.objects.get(pk=run_id)
            return statements_issue(run=run, by=Membership.objects.get(pk=who.pk)).new

    return job


def _progress(w, run_id):
    with tenant_context(w.a.pk):
        return statement_progress(run=PayoutRun.objects.get(pk=run_id))


def test_issues_at_the_same_moment_number_once_and_the_worker_renders_them(celery_worker, tx_world):
    w = tx_world
    second = make_member(w.a, "finance2@a.test", Role.FINANCE)
    with tenant_context(w.a.pk):
        first_run, second_run = commission_runs(w, second, 2, 4)
        payees = {run.pk: Payout.objects.filter(run=run).count() for run in (first_run, second_run)}
        before = counter()

    outcomes = run_together(
        _issue(w, first_run.pk, w.finance),
        _issue(w, second_run.pk, second),
        _issue(w, first_run.pk, second),
    )
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert sorted([outcomes[0], outcomes[2]]) == [0, payees[first_run.pk]]
    assert outcomes[1] == payees[second_run.pk]

    total = sum(payees.values())
    with tenant_context(w.a.pk):
        assert counter() == before + total
        issued = Statement.objects.filter(run__in=[first_run, second_run], year=YEAR)
        assert sorted(issued.values_list("sequence", flat=True)) == list(
            range(before + 1, before + total + 1)
        )
        for run_id, count in payees.items():
            assert Statement.objects.filter(run_id=run_id).count() == count

    for run_id, count in payees.items():
        wait_for(lambda r=run_id, n=count: _progress(w, r).ready == n, timeout=120)
    with tenant_context(w.a.pk):
        statement = Statement.objects.filter(run=first_run).first()
        rendered = (statement.rendered_at, statement.file.name)

    # The same message delivered again: nothing is rendered twice.
    from incentives.tasks.statements import statement_render as task

    task.delay(w.a.pk, statement.pk)
    celery_worker.wait_until_idle()
    with tenant_context(w.a.pk):
        statement.refresh_from_db()
        assert (statement.rendered_at, statement.file.name) == rendered
        assert statement.file.storage.exists(statement.file.name)
    # The worker wrote these files into the shared media directory.
    shutil.rmtree(Path(settings.MEDIA_ROOT) / "tenants" / "statements" / str(w.a.pk))
