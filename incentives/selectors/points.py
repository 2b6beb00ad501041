"""Points as each side sees them.

Vendor staff who manage points see everyone's.  A partner person sees their
own points, entries and redemptions; a partner admin also those of the
organisation's other people.  Nobody sees another partner's: a lookup gives
the same 404 for "missing" and "not yours"."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from partners.models import Partner
from partners.selectors.people import partner_id_of
from prm import policies
from prm.events import event_kinds
from prm.models import Membership

from ..models import EarningRule, PointsBalance, PointsEntry, Redemption, Reward
from ..points_ledger import lots_left, settings_of

# "Expiring soon" on the person's page when the vendor sets no reminder days.
SOON_DAYS = 30


def _ring(queryset: QuerySet, membership: Membership) -> QuerySet:
    """Narrow rows with ``membership`` and ``partner`` columns to what the person may see."""
    if policies.can_manage_points(membership):
        return queryset
    partner_id = partner_id_of(membership)
    if partner_id is None or not policies.can_earn_points(membership):
        return queryset.none()
    if policies.can_see_partner_points(membership):
        return queryset.filter(partner_id=partner_id)
    return queryset.filter(partner_id=partner_id, membership=membership)


# --- a person's points ----------------------------------------------------------------


@dataclass(frozen=True)
class MyPoints:
    balance: int
    held: int
    expiring: int
    first_expiry: datetime.date | None
    soon_days: int


def my_points(*, membership: Membership) -> MyPoints:
    """The person's balance with their partner, points held by pending
    redemptions, and what expires within the reminder days."""
    partner_id = partner_id_of(membership)
    row = PointsBalance.objects.filter(membership=membership, partner_id=partner_id).first()
    days = settings_of().reminder_days or SOON_DAYS
    today = timezone.localdate()
    lots = (
        lots_left(
            expiring_by=today + datetime.timedelta(days=days),
            people=[(membership.pk, partner_id)],
        )
        if row is not None and row.balance
        else []
    )
    return MyPoints(
        balance=row.balance if row else 0,
        held=row.held if row else 0,
        expiring=sum(lot.left for lot in lots),
        first_expiry=min((lot.expires_on for lot in lots), default=None),
        soon_days=days,
    )


def team_points(*, membership: Membership) -> QuerySet[PointsBalance]:
    """A partner admin's view of the organisation's people's balances."""
    if not policies.can_see_partner_points(membership):
        return PointsBalance.objects.none()
    return (
        PointsBalance.objects.filter(partner_id=partner_id_of(membership))
        .select_related("membership__user")
        .order_by("membership__user__email")
    )


def entries_visible_to(*, membership: Membership) -> QuerySet[PointsEntry]:
    """The ledger, newest first (a rep: the own entries)."""
    return (
        _ring(PointsEntry.objects.all(), membership)
        .select_related("membership__user", "partner", "redemption__reward", "by__user")
        .order_by("-pk")
    )


# --- rules, settings and the catalogue ------------------------------------------------


def earning_rules() -> list[EarningRule]:
    """Every rule, the active first, each with its event's label."""
    kinds = event_kinds()
    rules = list(EarningRule.objects.order_by("-is_active", "event", "-pk"))
    for rule in rules:
        kind = kinds.get(rule.event)
        rule.event_label = str(kind.label) if kind else rule.event
        rule.per_amount_event = bool(kind and kind.per_amount)
    return rules


def earning_rule_get(*, membership: Membership, rule_id: int) -> EarningRule:
    if not policies.can_manage_points(membership):
        raise Http404
    rule = EarningRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    return rule


def event_choices() -> list[tuple[str, str]]:
    return sorted(
        ((key, str(kind.label)) for key, kind in event_kinds().items()), key=lambda c: c[1]
    )


def rewards_visible_to(*, membership: Membership) -> QuerySet[Reward]:
    """The vendor's whole catalogue; partner people the rewards on offer."""
    if policies.can_manage_points(membership):
        return Reward.objects.order_by("-is_active", "cost", "name", "pk")
    if policies.can_earn_points(membership) and partner_id_of(membership) is not None:
        return Reward.objects.filter(is_active=True).order_by("cost", "name", "pk")
    return Reward.objects.none()


def reward_get(*, membership: Membership, reward_id: int) -> Reward:
    reward = rewards_visible_to(membership=membership).filter(pk=reward_id).first()
    if reward is None:
        raise Http404
    return reward


# --- redemptions ------------------------------------------------------------------------


def redemptions_visible_to(*, membership: Membership) -> QuerySet[Redemption]:
    return (
        _ring(Redemption.objects.all(), membership)
        .select_related("reward", "membership__user", "partner", "decided_by__user")
        .order_by("-created_at", "-pk")
    )


def redemption_queue(*, membership: Membership) -> QuerySet[Redemption]:
    """Pending redemptions, oldest first, for the vendor to decide."""
    if not policies.can_decide_redemptions(membership):
        return Redemption.objects.none()
    return (
        Redemption.objects.filter(status="pending")
        .select_related("reward", "membership__user", "partner")
        .order_by("created_at", "pk")
    )


def redemption_get(*, membership: Membership, redemption_id: int) -> Redemption:
    redemption = redemptions_visible_to(membership=membership).filter(pk=redemption_id).first()
    if redemption is None:
        raise Http404
    return redemption


# --- the vendor's liability -------------------------------------------------------------


def points_liability(*, membership: Membership) -> QuerySet:
    """Per partner: the points its people may still redeem, the points held
    by pending redemptions, and how many people hold points — one query."""
    if not policies.can_manage_points(membership):
        return PointsBalance.objects.none()
    return (
        PointsBalance.objects.filter(Q(balance__gt=0) | Q(held__gt=0))
        .values("partner_id", "partner__name")
        .annotate(points=Sum("balance"), held_points=Sum("held"), people=Count("id"))
        .order_by("-points", "partner__name")
    )


def partner_points(*, membership: Membership, partner: Partner) -> QuerySet[PointsBalance]:
    """One partner's people and their balances, for the vendor."""
    if not policies.can_manage_points(membership):
        return PointsBalance.objects.none()
    return (
        PointsBalance.objects.filter(partner=partner)
        .select_related("membership__user")
        .order_by("membership__user__email")
    )


def partner_person_get(*, membership: Membership, partner: Partner, person_id: int) -> Membership:
    """A person of ``partner`` the vendor adjusts the points of."""
    if not policies.can_manage_points(membership):
        raise Http404
    person = (
        Membership.objects.filter(pk=person_id, partner_link__partner=partner)
        .select_related("user", "partner_link")
        .first()
    )
    if person is None:
        raise Http404
    return person


def partner_people(*, partner: Partner) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(partner_link__partner=partner, is_active=True)
        .select_related("user")
        .order_by("user__email")
    )


def points_settings():
    """The tenant's points settings (the defaults when never saved)."""
    return settings_of()
