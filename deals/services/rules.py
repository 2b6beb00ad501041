"""The vendor's rules of engagement for deal registration and leads."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from prm.actions import action
from prm.audit import audit_record
from prm.models import Membership
from prm.policies import can_change_deal_rules

from ..models import DealSettings
from ..selectors.rules import deal_settings

SETTINGS_FIELDS = (
    "engagement_rule",
    "direct_accounts_off_limits",
    "protection_days",
    "extension_days",
    "max_extensions",
    "reminder_days",
    "approval_sla_hours",
    "lead_sla_hours",
    "name_similarity",
)


@action(can_change_deal_rules)
def deal_settings_update(*, by: Membership, **fields) -> DealSettings:
    """Change the rules of engagement.  A reminder must come before the
    protection ends, so it may not be as long as the protection itself."""
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    with transaction.atomic():
        settings = DealSettings.objects.select_for_update().get(pk=deal_settings().pk)
        for name, value in fields.items():
            setattr(settings, name, value)
        settings.full_clean(exclude=["tenant"], validate_constraints=False)
        if settings.reminder_days >= settings.protection_days:
            raise ValidationError(
                {
                    "reminder_days": _(
                        "Remind partners fewer days ahead than the protection lasts (%(n)d days)."
                    )
                    % {"n": settings.protection_days}
                }
            )
        settings.save(update_fields=list(fields))
        audit_record(
            actor=by.user,
            action="deal_settings.updated",
            target=settings,
            fields=sorted(fields),
        )
    return settings
