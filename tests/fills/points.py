import datetime

from incentives.models import (
    EarningRule,
    PointsBalance,
    PointsEntry,
    PointsReminder,
    PointsSettings,
    Redemption,
    Reward,
)
from prm.models import Membership


def fill(ctx) -> None:
    person = Membership.objects.get(user=ctx.partner_user)
    vendor = Membership.objects.get(user=ctx.vendor_user)
    PointsSettings.objects.create(expire_after=12, expire_unit="months", reminder_days=14)
    # Inactive, so the other tests' events earn nothing unless they set a rule.
    rule = EarningRule.objects.create(
        event="deal_registered", points=100, is_active=False, created_by=vendor
    )
    reward = Reward.objects.create(name=f"Mug of {ctx.tenant.slug}", cost=30, stock=10)
    redemption = Redemption.objects.create(
        reward=reward, membership=person, partner=ctx.partner, cost=30
    )
    earned = PointsEntry.objects.create(
        membership=person,
        partner=ctx.partner,
        kind="earned",
        points=100,
        event="deal_registered",
        source_id=1,
        rule=rule,
        expires_on=datetime.date(2027, 7, 1),
        happened_on=datetime.date(2026, 7, 1),
    )
    PointsEntry.objects.create(
        membership=person,
        partner=ctx.partner,
        kind="redeemed",
        points=-30,
        redemption=redemption,
        happened_on=datetime.date(2026, 7, 2),
    )
    PointsBalance.objects.create(membership=person, partner=ctx.partner, balance=70, held=30)
    PointsReminder.objects.create(
        membership=person,
        partner=ctx.partner,
        points=70,
        first_expiry=earned.expires_on,
        covers_until=earned.expires_on,
        sent_on=datetime.date(2027, 6, 17),
    )
