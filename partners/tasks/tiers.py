"""Background jobs: tier evaluation."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from django.utils import timezone

from prm.actors import SYSTEM
from prm.jobs import fan_out, system_task, tenant_task

from ..services import tier_evaluation as services


@tenant_task(name="partners.tiers_evaluate")
def tiers_evaluate(on: str | None = None) -> dict:
    """Evaluate the tenant's partners on ``on`` (ISO date; today by default)."""
    day = date.fromisoformat(on) if on else timezone.localdate()
    return asdict(services.tiers_evaluate(on=day, by=SYSTEM))


@system_task(name="partners.tiers_evaluate_all_tenants")
def tiers_evaluate_all_tenants() -> int:
    """Beat job: one evaluation per tenant, all for the same day (idempotent per
    day, so a tenant that fails is caught up by the next run)."""
    return fan_out("partners.tiers_evaluate", timezone.localdate().isoformat())
