"""Celery tasks: tiers."""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import date

from celery import shared_task
from django.utils import timezone

from prm.models import Tenant
from prm.tasks_base import tenant_task
from prm.tenancy import tenant_context

from .services import tiers as services

logger = logging.getLogger(__name__)


@tenant_task()
def tiers_evaluate(on: str | None = None) -> dict:
    """Evaluate the tenant's partners on ``on`` (ISO date; today by default)."""
    day = date.fromisoformat(on) if on else timezone.localdate()
    return asdict(services.tiers_evaluate(on=day))


@shared_task(acks_late=True)
def tiers_evaluate_all_tenants() -> int:
    """Beat job: every active tenant in its own context and transaction.

    A failing tenant is logged and does not stop the others; the run is
    idempotent, so the next one catches up."""
    evaluated = 0
    day = timezone.localdate()
    for tenant_id in Tenant.objects.filter(is_active=True).values_list("pk", flat=True):
        try:
            with tenant_context(tenant_id):
                evaluated += services.tiers_evaluate(on=day).evaluated
        except Exception:
            logger.exception("Tier evaluation failed for tenant %s", tenant_id)
    return evaluated
