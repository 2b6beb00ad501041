"""Who an announcement or survey is for: tiers, partner types, regions and
segments; an empty list means everyone.  The SQL that matches partners to an
audience is in ``selectors.audience``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .cleaning import unique_in_order
from .models import Segment, Tier
from .types import partner_type_choices

REGION_MAX_LENGTH = 60


@dataclass(frozen=True)
class Audience:
    """Who an announcement or survey is for; empty lists mean everyone."""

    tier_ids: tuple[int, ...] = ()
    types: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()

    def as_fields(self) -> dict[str, list]:
        return {
            "target_tier_ids": list(self.tier_ids),
            "target_types": list(self.types),
            "target_regions": list(self.regions),
            "target_segments": list(self.segments),
        }


def audience_clean(
    *,
    tier_ids: Iterable[int] = (),
    types: Iterable[str] = (),
    regions: Iterable[str] = (),
    segments: Iterable[str] = (),
) -> Audience:
    """Check every target against the current tenant: tiers must be its own,
    types known to it, segments the built-in ones; regions are trimmed."""
    errors: dict[str, str] = {}
    tier_ids = unique_in_order(int(t) for t in tier_ids)
    if tier_ids and Tier.objects.filter(pk__in=tier_ids).count() != len(tier_ids):
        errors["target_tier_ids"] = _("Choose tiers of this program.")
    types = unique_in_order(types)
    if set(types) - {key for key, _label in partner_type_choices()}:
        errors["target_types"] = _("Unknown partner type.")
    regions = unique_in_order(r.strip() for r in regions if r.strip())
    if any(len(r) > REGION_MAX_LENGTH for r in regions):
        errors["target_regions"] = _("A region name has at most %(n)d characters.") % {
            "n": REGION_MAX_LENGTH
        }
    segments = unique_in_order(segments)
    if set(segments) - set(Segment.values):
        errors["target_segments"] = _("Unknown segment.")
    if errors:
        raise ValidationError(errors)
    return Audience(tier_ids=tier_ids, types=types, regions=regions, segments=segments)
