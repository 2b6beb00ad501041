"""Background jobs: payout run calculation and the run schedule."""

from __future__ import annotations

from django.utils import timezone

from prm.jobs import fan_out, system_task, tenant_task

from ..services import runs


@tenant_task(name="incentives.payout_run_calculate")
def payout_run_calculate(run_id: int) -> int | None:
    run = runs.payout_run_calculate(run_id=run_id)
    return run.pk if run else None


@tenant_task(name="incentives.payout_runs_schedule")
def payout_runs_schedule() -> list[int]:
    return runs.payout_runs_schedule(today=timezone.localdate())


@system_task(name="incentives.payout_runs_schedule_all_tenants")
def payout_runs_schedule_all_tenants() -> int:
    """Beat job: one run schedule per tenant."""
    return fan_out("incentives.payout_runs_schedule")
