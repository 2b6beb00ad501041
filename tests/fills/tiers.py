import datetime
from decimal import Decimal

from partners.models import Tier, TierChange, TierEvaluation, TierPolicy, TierRequirement


def fill(ctx) -> None:
    TierPolicy.objects.create(enabled=True)
    tier = Tier.objects.create(name="Silver", rank=1)
    TierRequirement.objects.create(tier=tier, metric="active_people", minimum=Decimal("1"))
    TierEvaluation.objects.create(
        partner=ctx.partner, evaluated_on=datetime.date.today(), outcome="keep", metrics={}
    )
    TierChange.objects.create(partner=ctx.partner, to_tier=tier, status="applied")
