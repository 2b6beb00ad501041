from decimal import Decimal

from partners.models import (
    CustomPartnerType,
    KpiDefinition,
    KpiValue,
    PartnerDomain,
    PartnerStatusChange,
)


def fill(ctx) -> None:
    CustomPartnerType.objects.create(key="marketplace", name="Marketplace")
    PartnerDomain.objects.create(partner=ctx.partner, domain=f"p{ctx.partner.pk}.example")
    PartnerStatusChange.objects.create(partner=ctx.partner, to_status="active")
    kpi = KpiDefinition.objects.create(key="nps", name="Customer NPS")
    KpiValue.objects.create(kpi=kpi, partner=ctx.partner, value=Decimal("42"))
