"""A property of the points ledger, over random sequences of what people and
the vendor do: after every step the balance is the sum of the ledger, never
negative, and the held points are those of the pending redemptions."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incentives.models import PointsBalance, PointsEntry, Redemption
from incentives.services.points import earning_rule_create, points_adjust, points_settings_save
from incentives.services.points_expiry import points_expire
from incentives.services.rewards import (
    redemption_fulfil,
    redemption_reject,
    redemption_request,
    reward_create,
)
from prm.events import event_record
from prm.tenancy import tenant_context

STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), st.integers(1, 4)),
        st.tuples(st.just("redeem"), st.sampled_from([10, 25, 60])),
        st.tuples(st.just("approve"), st.integers(0, 5)),
        st.tuples(st.just("reject"), st.integers(0, 5)),
        st.tuples(st.just("expire"), st.integers(0, 40)),
        st.tuples(st.just("adjust"), st.integers(-80, 80).filter(bool)),
    ),
    min_size=1,
    max_size=25,
)


class Rollback(Exception):
    pass


def _check(person, partner) -> None:
    balance = PointsBalance.objects.filter(membership=person, partner=partner).first()
    entries = PointsEntry.objects.filter(membership=person, partner=partner)
    ledger = sum(entries.values_list("points", flat=True))
    pending = sum(
        Redemption.objects.filter(membership=person, status="pending").values_list(
            "cost", flat=True
        )
    )
    fulfilled = sum(
        Redemption.objects.filter(membership=person, status="fulfilled").values_list(
            "cost", flat=True
        )
    )
    redeemed = -sum(entries.filter(kind="redeemed").values_list("points", flat=True))
    returned = sum(entries.filter(kind="returned").values_list("points", flat=True))
    current, held = (balance.balance, balance.held) if balance else (0, 0)
    assert current == ledger
    assert current >= 0 and held >= 0
    assert held == pending
    # Every point redeemed is held, spent or returned.
    assert redeemed == held + fulfilled + returned


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_the_balance_is_the_ledger_never_negative_and_held_reconciles(world, steps):
    person, partner, staff = world.q_rep, world.q, world.channel_manager
    try:
        with transaction.atomic(), tenant_context(world.a.pk):
            points_settings_save(expire_after="10", expire_unit="days", reminder_days="3", by=staff)
            earning_rule_create(event="lead_accepted_in_sla", points=15, by=staff)
            rewards = {
                cost: reward_create(name=f"R{cost}", cost=cost, stock=3, by=staff)
                for cost in (10, 25, 60)
            }
            today, source = timezone.localdate(), 0
            for action, value in steps:
                pending = list(
                    Redemption.objects.filter(membership=person, status="pending").order_by("pk")
                )
                try:
                    if action == "earn":
                        for _ in range(value):
                            source += 1
                            event_record(
                                "lead_accepted_in_sla",
                                membership_id=person.pk,
                                partner_id=partner.pk,
                                source_id=source,
                            )
                    elif action == "redeem":
                        redemption_request(reward=rewards[value], by=person)
                    elif action == "approve" and pending:
                        redemption_fulfil(redemption=pending[value % len(pending)], by=staff)
                    elif action == "reject" and pending:
                        redemption_reject(
                            redemption=pending[value % len(pending)], reason="No", by=staff
                        )
                    elif action == "expire":
                        points_expire(today=today + datetime.timedelta(days=value))
                    elif action == "adjust":
                        points_adjust(person=person, points=value, reason="Test", by=staff)
                except ValidationError:
                    pass  # refused (not enough points, out of stock): nothing changed
                _check(person, partner)
            raise Rollback
    except Rollback:
        pass
