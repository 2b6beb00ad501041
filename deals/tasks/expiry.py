"""Background jobs: registration expiry and reminders."""

from __future__ import annotations

from django.utils import timezone

from prm.jobs import fan_out, system_task, tenant_task

from ..services import expiry


@tenant_task(name="deals.registrations_expire")
def registrations_expire_tenant() -> dict[str, int]:
    """Remind, then expire, the tenant's registrations as of today; both steps
    are idempotent, so a run that fails is caught up by the next one."""
    today = timezone.localdate()
    reminded = expiry.registrations_remind(today=today)
    expired = expiry.registrations_expire(today=today)
    return {"reminded": reminded, "expired": expired}


@system_task(name="deals.registrations_expire_all_tenants")
def registrations_expire_all_tenants() -> int:
    """Beat job: one expiry task per tenant."""
    return fan_out("deals.registrations_expire")
