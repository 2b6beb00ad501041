"""Disputes as each side sees them: vendor staff all, a partner admin the own
partner's."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from partners.selectors.people import partner_id_of
from prm import policies
from prm.models import Membership

from ..models import Dispute, DisputeMessage


def disputes_visible_to(*, membership: Membership) -> QuerySet[Dispute]:
    base = Dispute.objects.select_related(
        "partner", "item__run__program", "payout", "opened_by__user"
    )
    if policies.can_view_payouts(membership):
        return base.order_by("status", "-updated_at")
    if policies.can_dispute_statements(membership):
        return base.filter(partner_id=partner_id_of(membership)).order_by("status", "-updated_at")
    return Dispute.objects.none()


def dispute_get(*, membership: Membership, dispute_id: int) -> Dispute:
    dispute = disputes_visible_to(membership=membership).filter(pk=dispute_id).first()
    if dispute is None:
        raise Http404
    return dispute


def dispute_thread(dispute: Dispute) -> QuerySet[DisputeMessage]:
    return DisputeMessage.objects.filter(dispute=dispute).select_related("author__user")
