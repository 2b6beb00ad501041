"""Read queries of won revenue: the lines incentives are computed from."""

from __future__ import annotations

from django.db.models import QuerySet

from partners.selectors.people import partner_id_of
from prm.models import Membership

from ..models import RevenueLine


def revenue_lines_visible_to(*, membership: Membership) -> QuerySet[RevenueLine]:
    """Won revenue lines with their partner, product and registration; partner
    users see their own organisation's only."""
    lines = RevenueLine.objects.select_related("partner", "product", "registration")
    if membership.is_partner:
        lines = lines.filter(partner_id=partner_id_of(membership))
    return lines.order_by("-closed_on", "-pk")


def revenue_line_get(*, membership: Membership, line_id: int) -> RevenueLine:
    """One line; the same 404 for one that does not exist and one not yours."""
    from django.http import Http404

    line = revenue_lines_visible_to(membership=membership).filter(pk=line_id).first()
    if line is None:
        raise Http404
    return line
