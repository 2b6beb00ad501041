"""Payout runs, payouts and their items for the console, and a partner's own
payouts for the portal."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from partners.selectors.people import partner_id_of
from prm import policies
from prm.models import Membership

from ..models import Payout, PayoutItem, PayoutRun, RunStatus

SHOWN_TO_PARTNERS = [RunStatus.APPROVED, RunStatus.PAID]


def runs_visible_to(*, membership: Membership) -> QuerySet[PayoutRun]:
    if not policies.can_view_payouts(membership):
        return PayoutRun.objects.none()
    return PayoutRun.objects.select_related("program", "prepared_by__user", "approved_by__user")


def run_get(*, membership: Membership, run_id: int) -> PayoutRun:
    run = runs_visible_to(membership=membership).filter(pk=run_id).first()
    if run is None:
        raise Http404
    return run


def run_payouts(run: PayoutRun) -> QuerySet[Payout]:
    return (
        Payout.objects.filter(run=run)
        .select_related("partner", "person__user", "payment")
        .order_by("partner__name", "pk")
    )


def payouts_visible_to(*, membership: Membership) -> QuerySet[Payout]:
    """Vendor staff with the right see every payout; a partner admin the own
    partner's payouts of approved runs; a rep only their own SPIF payouts."""
    base = Payout.objects.select_related("run__program", "partner", "person__user", "payment")
    if policies.can_view_payouts(membership):
        return base
    partner_id = partner_id_of(membership)
    if partner_id is None or not policies.can_see_own_earnings(membership):
        return Payout.objects.none()
    mine = base.filter(partner_id=partner_id, run__status__in=SHOWN_TO_PARTNERS)
    if policies.can_see_partner_earnings(membership):
        return mine
    return mine.filter(person=membership)


def payout_get(*, membership: Membership, payout_id: int) -> Payout:
    payout = payouts_visible_to(membership=membership).filter(pk=payout_id).first()
    if payout is None:
        raise Http404
    return payout


def payout_items(payout: Payout) -> QuerySet[PayoutItem]:
    return (
        PayoutItem.objects.filter(payout=payout)
        .select_related("revenue_line__product", "registration", "previous_payout__run")
        .order_by("kind", "pk")
    )


def partner_payouts(*, membership: Membership, partner_id: int) -> QuerySet[Payout]:
    """A partner's payouts as the partner 360 page shows them (vendor staff)."""
    return (
        payouts_visible_to(membership=membership)
        .filter(partner_id=partner_id)
        .filter(Q(run__status__in=SHOWN_TO_PARTNERS) | Q(run__status=RunStatus.DRAFT))
        .order_by("-run__period_start", "-pk")
    )


def payout_item_get(*, membership: Membership, item_id: int) -> PayoutItem:
    """A line of a payout the membership may see; the same 404 otherwise."""
    item = (
        PayoutItem.objects.select_related("payout", "run__program", "registration")
        .filter(pk=item_id, payout__in=payouts_visible_to(membership=membership))
        .first()
    )
    if item is None:
        raise Http404
    return item
