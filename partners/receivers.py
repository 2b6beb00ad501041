"""What the partners app does when the tenancy core signals (connected at start-up)."""

from __future__ import annotations

from prm.roles import PARTNER_ROLES

from .models import PartnerInvitation, PartnerMembership


def bind_membership_to_partner(sender, *, invitation, membership, **kwargs) -> bool:
    """An accepted invitation to a partner role makes the new membership one of
    that partner's people (in the acceptance's transaction)."""
    if invitation.role not in PARTNER_ROLES:
        return False
    link = PartnerInvitation.objects.filter(invitation=invitation).first()
    if link is None:
        return False
    membership.partner_link = PartnerMembership.objects.create(
        membership=membership, partner_id=link.partner_id
    )
    return True
