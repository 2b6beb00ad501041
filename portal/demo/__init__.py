"""Demo data: the base vendors, partners and people, then each area's additions."""

from django.db import transaction

from . import (
    agreements,
    communication,
    directory,
    incentives,
    leads,
    mdf,
    onboarding,
    operations,
    points,
    recruitment,
    registrations,
    tiers,
)
from .base import DEMO_PASSWORD, seed_base

__all__ = ["DEMO_PASSWORD", "seed"]

AREAS = [
    directory,
    tiers,
    recruitment,
    agreements,
    onboarding,
    communication,
    operations,
    registrations,
    leads,
    # last: it pays out the revenue the areas above won
    incentives,
    mdf,
    points,
]


@transaction.atomic
def seed() -> list[tuple[str, str]]:
    """Create or complete the demo data; running it again changes nothing."""
    tenants, logins = seed_base()
    for area in AREAS:
        area.seed(tenants)
    return logins
