"""Roles a membership can hold, and what each may reach."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VENDOR_ADMIN = "vendor_admin", _("Vendor admin")
    CHANNEL_MANAGER = "channel_manager", _("Channel manager")
    FINANCE = "finance", _("Finance")
    PARTNER_ADMIN = "partner_admin", _("Partner admin")
    PARTNER_REP = "partner_rep", _("Partner rep")


VENDOR_ROLES = frozenset({Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER, Role.FINANCE})
PARTNER_ROLES = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_REP})


def is_vendor_role(role: str) -> bool:
    return role in VENDOR_ROLES


def is_partner_role(role: str) -> bool:
    return role in PARTNER_ROLES
