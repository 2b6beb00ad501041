import datetime
from decimal import Decimal
from types import SimpleNamespace

from partners.models import (
    KpiDefinition,
    KpiValue,
    Tier,
    TierChange,
    TierEvaluation,
    TierPolicy,
    TierRequirement,
)
from prm.tenancy import tenant_context


def fill(ctx) -> None:
    TierPolicy.objects.create(enabled=True)
    tier = Tier.objects.create(name="Silver", rank=1)
    TierRequirement.objects.create(tier=tier, metric="active_people", minimum=Decimal("1"))
    TierEvaluation.objects.create(
        partner=ctx.partner, evaluated_on=datetime.date.today(), outcome="keep", metrics={}
    )
    TierChange.objects.create(partner=ctx.partner, to_tier=tier, status="applied")


REVENUE_KPI = "revenue_k"


def build_ladder(tenant, *, mode: str = "reviewed", grace: int = 30, enabled: bool = True):
    """Replace the tenant's tiers with Registered < Silver < Gold < Platinum.

    Registered: no requirements; Silver: 2 active people; Gold: 2 people and
    revenue_k ≥ 250; Platinum: 2 people and revenue_k ≥ 1000.
    """
    with tenant_context(tenant.pk):
        Tier.objects.filter(partners__isnull=True).delete()
        TierPolicy.objects.update_or_create(
            defaults={"enabled": enabled, "mode": mode, "demotion_grace_days": grace}
        )
        KpiDefinition.objects.get_or_create(key=REVENUE_KPI, defaults={"name": "Revenue (k)"})
        revenue = f"kpi:{REVENUE_KPI}"
        ladder = SimpleNamespace()
        for attr, name, rank, requirements in [
            ("registered", "Registered", 1, {}),
            ("silver", "Silver", 2, {"active_people": 2}),
            ("gold", "Gold", 3, {"active_people": 2, revenue: 250}),
            ("platinum", "Platinum", 4, {"active_people": 2, revenue: 1000}),
        ]:
            tier = Tier.objects.create(
                name=name, rank=rank, discount_pct=Decimal(rank * 5), protection_days=rank * 30
            )
            for metric, minimum in requirements.items():
                TierRequirement.objects.create(tier=tier, metric=metric, minimum=Decimal(minimum))
            setattr(ladder, attr, tier)
    return ladder


def set_revenue(tenant, partner, value) -> None:
    with tenant_context(tenant.pk):
        kpi = KpiDefinition.objects.get(key=REVENUE_KPI)
        KpiValue.objects.update_or_create(
            kpi=kpi, partner=partner, defaults={"value": Decimal(value)}
        )
