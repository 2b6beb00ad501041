"""Celery tasks: registration expiry and reminders."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from prm.models import Tenant
from prm.tasks_base import tenant_task
from prm.tenancy import tenant_context

from .services import expiry

logger = logging.getLogger(__name__)


def _run_for_today() -> dict[str, int]:
    today = timezone.localdate()
    reminded = expiry.registrations_remind(today=today)
    expired = expiry.registrations_expire(today=today)
    return {"reminded": reminded, "expired": expired}


@tenant_task()
def registrations_expire_tenant() -> dict[str, int]:
    """Remind, then expire, the tenant's registrations as of today."""
    return _run_for_today()


@shared_task(acks_late=True)
def registrations_expire_all_tenants() -> int:
    """Beat job: every active tenant in its own context and transaction.

    A failing tenant is logged and does not stop the others; both steps are
    idempotent, so the next run catches up."""
    expired = 0
    for tenant_id in Tenant.objects.filter(is_active=True).values_list("pk", flat=True):
        try:
            with tenant_context(tenant_id):
                expired += _run_for_today()["expired"]
        except Exception:
            logger.exception("Registration expiry failed for tenant %s", tenant_id)
    return expired
