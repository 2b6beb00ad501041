"""Celery tasks: onboarding."""

from celery import shared_task

from prm.models import Tenant
from prm.tasks_base import tenant_task
from prm.tenancy import tenant_context

from .services.onboarding import onboarding_refresh, onboarding_start_missing


@tenant_task()
def onboarding_refresh_tenant() -> dict:
    onboarding_start_missing()
    return onboarding_refresh()


@shared_task(acks_late=True)
def onboarding_refresh_all_tenants() -> int:
    """Beat job: complete observed steps in every tenant, each in its own context."""
    finished = 0
    for tenant_id in Tenant.objects.filter(is_active=True).values_list("pk", flat=True):
        with tenant_context(tenant_id):
            onboarding_start_missing()
            finished += onboarding_refresh()["finished"]
    return finished
