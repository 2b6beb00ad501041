"""The vendor's rules of engagement."""

from __future__ import annotations

from ..models import DealSettings


def deal_settings() -> DealSettings:
    """The current tenant's rules; the row is created with the defaults on first use."""
    settings, _created = DealSettings.objects.get_or_create()
    return settings
