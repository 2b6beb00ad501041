"""Background jobs: MDF deadlines (reminders, then expiry)."""

from __future__ import annotations

from django.utils import timezone

from prm.jobs import fan_out, system_task, tenant_task

from ..services import mdf_expiry


@tenant_task(name="incentives.mdf_expire")
def mdf_expire() -> dict[str, int]:
    """Remind, then expire, the tenant's MDF deadlines as of today; both steps
    are idempotent, so a run that fails is caught up by the next one."""
    today = timezone.localdate()
    reminded = mdf_expiry.mdf_remind(today=today)
    return {"reminded": reminded, **mdf_expiry.mdf_expire(today=today)}


@system_task(name="incentives.mdf_expire_all_tenants")
def mdf_expire_all_tenants() -> int:
    """Beat job: one MDF deadline task per tenant."""
    return fan_out("incentives.mdf_expire")
