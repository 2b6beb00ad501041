"""Demo data: tiers.

Northwind runs four tiers in reviewed mode with a 60-day demotion grace period;
its partners sit at every tier, and one evaluation has run, so the console
shows evaluations, partners in their grace period and open proposals.  Globex
runs without tiers."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from partners.models import KpiDefinition, KpiValue, Partner, Tier, TierEvaluation, TierPolicy
from partners.services.tier_evaluation import tiers_evaluate
from prm.actors import SYSTEM
from prm.tenancy import tenant_context

KPI_KEY = "annual_revenue_k"

# name, rank, discount %, rebate multiplier, MDF %, protection days, content tags, requirements
TIERS = [
    ("Registered", 1, "5", "1.000", "0", 30, ["basics"], {}),
    ("Silver", 2, "10", "1.100", "2", 60, ["basics", "sales"], {"active_people": "2"}),
    (
        "Gold",
        3,
        "15",
        "1.250",
        "4",
        90,
        ["basics", "sales", "technical"],
        {"active_people": "2", "profile_complete": "1", f"kpi:{KPI_KEY}": "250"},
    ),
    (
        "Platinum",
        4,
        "20",
        "1.500",
        "6",
        120,
        ["basics", "sales", "technical", "roadmap"],
        {"active_people": "2", "profile_complete": "1", f"kpi:{KPI_KEY}": "1000"},
    ),
]

# partner name: (tier held, annual revenue in thousands)
PLACEMENTS = {
    "Bluewave Solutions": ("Gold", "1240"),
    "Cobalt Managed Services": ("Silver", "310"),
    "Referral Hub": ("Registered", "85"),
    "Atlas Distribution": ("Platinum", "1500"),
    "Summit Integrators": (None, "40"),
}

# Bluewave keeps a complete profile, so it qualifies for Platinum in the demo.
BLUEWAVE_PROFILE = {
    "website": "https://bluewave.example",
    "country": "US",
    "strengths": "Mid-market rollouts, migration services",
    "markets": "North America",
    "industries": ["retail", "logistics"],
}


def seed(tenants: dict) -> None:
    """Add this area's demo data to the tenants (keyed by slug); idempotent."""
    with tenant_context(tenants["northwind"].pk):
        _seed_northwind()


def _seed_northwind() -> None:
    TierPolicy.objects.get_or_create(
        defaults={"enabled": True, "mode": TierPolicy.Mode.REVIEWED, "demotion_grace_days": 60}
    )
    kpi, _ = KpiDefinition.objects.get_or_create(
        key=KPI_KEY, defaults={"name": "Annual revenue (k)"}
    )
    tiers = {}
    for name, rank, discount, rebate, mdf, days, content, requirements in TIERS:
        tier, created = Tier.objects.get_or_create(
            name=name,
            defaults={
                "rank": rank,
                "discount_pct": Decimal(discount),
                "rebate_multiplier": Decimal(rebate),
                "mdf_allocation_pct": Decimal(mdf),
                "protection_days": days,
                "content_access": content,
            },
        )
        if created:
            for metric, minimum in requirements.items():
                tier.requirements.create(metric=metric, minimum=Decimal(minimum))
        tiers[name] = tier

    partners = {p.name: p for p in Partner.objects.filter(name__in=PLACEMENTS)}
    since = timezone.localdate() - timedelta(days=200)
    for name, (tier_name, revenue) in PLACEMENTS.items():
        partner = partners.get(name)
        if partner is None:
            continue
        KpiValue.objects.get_or_create(
            kpi=kpi, partner=partner, defaults={"value": Decimal(revenue)}
        )
        if tier_name and partner.tier_id is None and not partner.tier_changes.exists():
            Partner.objects.filter(pk=partner.pk).update(tier=tiers[tier_name], tier_since=since)

    bluewave = partners.get("Bluewave Solutions")
    if bluewave is not None:
        blank = {f: v for f, v in BLUEWAVE_PROFILE.items() if not getattr(bluewave, f)}
        if blank:
            Partner.objects.filter(pk=bluewave.pk).update(**blank)

    if not TierEvaluation.objects.exists():
        tiers_evaluate(on=timezone.localdate(), by=SYSTEM)
