"""The people of a program: inviting them (partner people into their
organisation), and deactivating, reactivating and changing the role of
partner people.

Invariants: a partner person belongs to exactly one organisation of the
tenant (the invitation carries it, and accepting binds the membership to it
in the same transaction); partner admins manage their own organisation's
people only; an organisation always keeps an active partner admin.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from prm import services as core
from prm.actions import action
from prm.audit import audit_record
from prm.models import Invitation, Membership
from prm.policies import can_invite_people, can_manage_team
from prm.roles import PARTNER_ROLES, VENDOR_ROLES, Role

from ..models import Partner, PartnerInvitation
from ..selectors.people import partner_id_of, partner_of


@action(can_invite_people)
def person_invite(
    *, by: Membership, email: str, role: str, partner: Partner | None = None
) -> Invitation:
    """Invite a person into the program with ``role``.  Partner people join an
    organisation: the inviter's own when a partner admin invites, else the
    partner chosen by vendor staff."""
    if role not in PARTNER_ROLES:
        return core.invitation_create(by=by, email=email, role=role)
    if by.is_partner:
        partner = partner_of(by)
    if partner is None or not Partner.objects.filter(pk=partner.pk).exists():
        # (a partner of another tenant is not found by the scoped manager)
        raise ValidationError({"partner": _("Choose the partner this person works for.")})

    def bind(invitation: Invitation) -> None:
        PartnerInvitation.objects.create(invitation=invitation, partner=partner)

    return core.invitation_create(by=by, email=email, role=role, bind=bind)


def _check_same_organisation(invitation: Invitation, by: Membership) -> None:
    """Partner admins act on their own organisation's invitations only."""
    if not by.is_partner:
        return
    link = getattr(invitation, "partner_link", None)
    if link is None or link.partner_id != partner_id_of(by):
        raise ValidationError(_("This invitation is for another organisation."))


@action(can_invite_people)
def person_invitation_revoke(*, invitation: Invitation, by: Membership) -> None:
    _check_same_organisation(invitation, by)
    core.invitation_revoke(invitation=invitation, by=by)


def _check_can_manage(*, member: Membership, by: Membership) -> None:
    """Partner admins manage their own organisation's people; vendor admins anyone."""
    if by.role == Role.VENDOR_ADMIN:
        return
    if by.role == Role.PARTNER_ADMIN and partner_id_of(member) == partner_id_of(by):
        return
    raise ValidationError(_("You may not manage this person."))


def _keeps_a_partner_admin(member: Membership, *, losing: bool) -> None:
    """Refuses when ``member`` is the organisation's last active partner admin and
    would stop being one.  Runs inside the change's transaction with the
    partner's row locked, so two admins removing each other at the same moment
    are serialised and the second sees the first's change."""
    partner_id = partner_id_of(member)
    if not losing or member.role != Role.PARTNER_ADMIN or partner_id is None:
        return
    Partner.objects.select_for_update().filter(pk=partner_id).first()
    others = Membership.objects.filter(
        partner_link__partner_id=partner_id, role=Role.PARTNER_ADMIN, is_active=True
    ).exclude(pk=member.pk)
    if not others.exists():
        raise ValidationError(_("An organisation needs at least one active partner admin."))


@action(can_manage_team)
def membership_deactivate(*, member: Membership, by: Membership) -> None:
    """Deactivated people lose access at once; their records stay."""
    _check_can_manage(member=member, by=by)
    if member.pk == by.pk:
        raise ValidationError(_("You cannot deactivate yourself."))
    with transaction.atomic():
        _keeps_a_partner_admin(member, losing=member.is_active)
        Membership.objects.filter(pk=member.pk).update(is_active=False)
        audit_record(actor=by.user, action="membership.deactivated", target=member)


@action(can_manage_team)
def membership_reactivate(*, member: Membership, by: Membership) -> None:
    _check_can_manage(member=member, by=by)
    with transaction.atomic():
        Membership.objects.filter(pk=member.pk).update(is_active=True)
        audit_record(actor=by.user, action="membership.reactivated", target=member)


@action(can_manage_team)
def membership_change_role(*, member: Membership, role: str, by: Membership) -> None:
    """Switch a person between the roles of their side (partner admin and rep)."""
    _check_can_manage(member=member, by=by)
    allowed = PARTNER_ROLES if member.is_partner else VENDOR_ROLES
    if role not in allowed:
        raise ValidationError({"role": _("This role does not fit this person.")})
    if member.pk == by.pk:
        raise ValidationError(_("You cannot change your own role."))
    with transaction.atomic():
        _keeps_a_partner_admin(member, losing=role != Role.PARTNER_ADMIN)
        Membership.objects.filter(pk=member.pk).update(role=role)
        audit_record(actor=by.user, action="membership.role_changed", target=member, role=role)
