from datetime import timedelta

from django.utils import timezone

from partners.models import PartnerInvitation
from prm.models import Invitation


def fill(ctx) -> None:
    # A revoked invitation to the partner: every tenant has a partner-bound one.
    invitation = Invitation.objects.create(
        email=f"former.rep.{ctx.partner.pk}@example.test",
        role="partner_rep",
        invited_by=ctx.vendor_user,
        status=Invitation.Status.REVOKED,
        expires_at=timezone.now() + timedelta(days=7),
    )
    PartnerInvitation.objects.create(invitation=invitation, partner=ctx.partner)
