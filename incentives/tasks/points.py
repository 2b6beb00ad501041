"""Background jobs: points expiry and its reminders."""

from __future__ import annotations

from django.utils import timezone

from prm.jobs import fan_out, system_task, tenant_task

from ..services import points_expiry


@tenant_task(name="incentives.points_expire")
def points_expire() -> dict[str, int]:
    """Expire what is due today, then remind people of what expires soon."""
    today = timezone.localdate()
    return {
        "expired": points_expiry.points_expire(today=today),
        "reminded": points_expiry.points_expiry_remind(today=today),
    }


@system_task(name="incentives.points_expire_all_tenants")
def points_expire_all_tenants() -> int:
    """Beat job: one points expiry per tenant."""
    return fan_out("incentives.points_expire")
