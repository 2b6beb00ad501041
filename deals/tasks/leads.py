"""Background jobs: lead SLA reclaim and routing."""

from django.utils import timezone

from prm.jobs import fan_out, system_task, tenant_task

from ..services.reclaim import leads_reclaim
from ..services.routing import lead_reroute as reroute


@tenant_task(name="deals.leads_reclaim")
def leads_reclaim_tenant() -> int:
    return leads_reclaim(now=timezone.now())


@tenant_task(name="deals.lead_reroute")
def lead_reroute(lead_id: int) -> int | None:
    """Route a declined lead again (nothing happens if it was offered or closed meanwhile)."""
    offer = reroute(lead_id=lead_id)
    return offer.pk if offer else None


@system_task(name="deals.leads_reclaim_all_tenants")
def leads_reclaim_all_tenants() -> int:
    """Beat job: one reclaim task per tenant."""
    return fan_out("deals.leads_reclaim")
