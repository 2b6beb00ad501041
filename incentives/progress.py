"""Progress of a run's calculation, shared through the cache: the worker's own
transaction stays invisible until it commits, so the page reads this instead."""

from __future__ import annotations

from django.core.cache import cache

STEPS = 4


def _key(tenant_id: int, run_id: int) -> str:
    return f"payout-run-progress:{tenant_id}:{run_id}"


def progress_report(*, tenant_id: int, run_id: int, step: int, label: str) -> None:
    cache.set(_key(tenant_id, run_id), (step, STEPS, label), timeout=3600)


def progress_clear(*, tenant_id: int, run_id: int) -> None:
    cache.delete(_key(tenant_id, run_id))


def progress_of(*, tenant_id: int, run_id: int) -> tuple[int, int, str] | None:
    """(step, steps, what) while a worker calculates the run, else None."""
    return cache.get(_key(tenant_id, run_id))
