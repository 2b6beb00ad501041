"""The people of partner organisations: which organisation a partner-side
membership, or an invitation to a partner role, belongs to.

The tenancy core keeps memberships and invitations with their roles only; the
link to a partner lives here, so the core depends on no app.  Every
membership and invitation with a partner role has exactly one link (the
invitation flow creates it in the same transaction; see
``services.people``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.models_base import TenantOwned

from .organisations import Partner


class PartnerMembership(TenantOwned):
    """A partner admin's or rep's organisation."""

    membership = models.OneToOneField(
        "prm.Membership",
        on_delete=models.CASCADE,
        related_name="partner_link",
        verbose_name=_("membership"),
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="members", verbose_name=_("partner")
    )

    class Meta:
        verbose_name = _("partner membership")
        verbose_name_plural = _("partner memberships")
        indexes = [
            # a partner's team and the e-mails to its people
            models.Index(fields=["tenant", "partner"], name="partner_member_partner"),
        ]

    def __str__(self) -> str:
        return f"{self.membership} · {self.partner}"


class PartnerInvitation(TenantOwned):
    """The organisation an invitation to a partner role is for."""

    invitation = models.OneToOneField(
        "prm.Invitation",
        on_delete=models.CASCADE,
        related_name="partner_link",
        verbose_name=_("invitation"),
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("partner")
    )

    class Meta:
        verbose_name = _("partner invitation")
        verbose_name_plural = _("partner invitations")
        indexes = [
            models.Index(fields=["tenant", "partner"], name="partner_invitation_partner"),
        ]

    def __str__(self) -> str:
        return f"{self.invitation} · {self.partner}"
