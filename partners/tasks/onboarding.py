"""Background jobs: onboarding."""

from prm.jobs import fan_out, system_task, tenant_task

from ..services.onboarding import (
    onboarding_overdue_notify,
    onboarding_refresh,
    onboarding_start_missing,
)


@tenant_task(name="partners.onboarding_refresh")
def onboarding_refresh_tenant() -> dict:
    """Start missing onboardings, complete the steps the system can observe and
    tell partner admins of steps that became overdue."""
    onboarding_start_missing()
    refreshed = onboarding_refresh()
    return {**refreshed, "overdue_notified": onboarding_overdue_notify()}


@system_task(name="partners.onboarding_refresh_all_tenants")
def onboarding_refresh_all_tenants() -> int:
    """Beat job: one onboarding refresh per tenant."""
    return fan_out("partners.onboarding_refresh")
