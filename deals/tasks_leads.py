"""Celery tasks: lead SLA reclaim and routing."""

from celery import shared_task
from django.utils import timezone

from prm.models import Tenant
from prm.tasks_base import tenant_task
from prm.tenancy import tenant_context

from .services.leads import lead_reroute as reroute
from .services.leads import leads_reclaim


@tenant_task()
def leads_reclaim_tenant() -> int:
    return leads_reclaim(now=timezone.now())


@tenant_task()
def lead_reroute(lead_id: int) -> int | None:
    """Route a declined lead again (nothing happens if it was offered or closed meanwhile)."""
    offer = reroute(lead_id=lead_id)
    return offer.pk if offer else None


@shared_task(acks_late=True)
def leads_reclaim_all_tenants() -> int:
    """Beat job: reclaim overdue offers in every tenant, each in its own context."""
    reclaimed = 0
    for tenant_id in Tenant.objects.filter(is_active=True).values_list("pk", flat=True):
        with tenant_context(tenant_id):
            reclaimed += leads_reclaim(now=timezone.now())
    return reclaimed
