"""Read queries over partner organisations, narrowed to what a membership may see."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from prm.models import Membership

from ..models import Partner


def partners_visible_to(*, membership: Membership) -> QuerySet[Partner]:
    """Vendor roles see every partner of the tenant; partner users only their own."""
    partners = Partner.objects.all()
    if membership.is_partner:
        partners = partners.filter(pk=membership.partner_id)
    return partners


def partner_list(*, membership: Membership) -> QuerySet[Partner]:
    return partners_visible_to(membership=membership).annotate(
        people=Count("memberships", filter=Q(memberships__is_active=True))
    )


def partner_get(*, membership: Membership, partner_id: int) -> Partner:
    """The same 404 for a partner that does not exist and one that is not yours."""
    partner = partners_visible_to(membership=membership).filter(pk=partner_id).first()
    if partner is None:
        raise Http404
    return partner
