"""Business actions of the tenancy core: invitations, memberships, tenant settings."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_record
from .enqueue import enqueue_after_commit
from .models import Invitation, Membership, Tenant, User
from .roles import PARTNER_ROLES, VENDOR_ROLES, Role

INVITATION_SALT = "prm.invitation"


class InvitationUnavailable(Exception):
    """The invitation link is invalid, expired, revoked or already used."""


def invitable_roles(by: Membership) -> set[str]:
    if by.role == Role.VENDOR_ADMIN:
        return set(VENDOR_ROLES | PARTNER_ROLES)
    if by.role == Role.CHANNEL_MANAGER:
        return set(PARTNER_ROLES)
    if by.role == Role.PARTNER_ADMIN:
        return set(PARTNER_ROLES)
    return set()


def invitation_create(*, by: Membership, email: str, role: str, partner=None) -> Invitation:
    """Invite ``email`` into the current tenant with ``role``.

    Vendor admins invite anyone; channel managers and partner admins invite
    partner people only, and a partner admin only into their own organisation.
    The link is e-mailed after the transaction commits.
    """
    email = email.strip().lower()
    if role not in invitable_roles(by):
        raise ValidationError({"role": _("You may not invite people with this role.")})
    if role in PARTNER_ROLES:
        if by.is_partner:
            partner = by.partner
        if partner is None:
            raise ValidationError({"partner": _("Choose the partner this person works for.")})
    else:
        partner = None
    if Membership.objects.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    if Invitation.objects.filter(email=email, status=Invitation.Status.PENDING).exists():
        raise ValidationError({"email": _("An invitation to this address is already pending.")})
    with transaction.atomic():
        invitation = Invitation.objects.create(
            email=email,
            role=role,
            partner=partner,
            invited_by=by.user,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
        )
        audit_record(
            actor=by.user, action="invitation.created", target=invitation, email=email, role=role
        )
        _send_after_commit(invitation)
    return invitation


def _send_after_commit(invitation: Invitation) -> None:
    enqueue_after_commit("prm.invitation_send", invitation.tenant_id, invitation.pk)


def invitation_resend(*, invitation: Invitation, by: Membership) -> None:
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError(_("Only pending invitations can be sent again."))
    with transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
        )
        audit_record(actor=by.user, action="invitation.resent", target=invitation)
        _send_after_commit(invitation)


def invitation_revoke(*, invitation: Invitation, by: Membership) -> None:
    with transaction.atomic():
        changed = Invitation.objects.filter(
            pk=invitation.pk, status=Invitation.Status.PENDING
        ).update(status=Invitation.Status.REVOKED)
        if not changed:
            raise ValidationError(_("Only pending invitations can be revoked."))
        audit_record(actor=by.user, action="invitation.revoked", target=invitation)


def invitation_token(*, invitation: Invitation) -> str:
    """A signed token naming the tenant and invitation. The signature stops
    tampering; expiry and single use are enforced on the row itself."""
    return signing.dumps({"t": invitation.tenant_id, "i": invitation.pk}, salt=INVITATION_SALT)


def invitation_token_parse(token: str) -> tuple[int, int]:
    """(tenant_id, invitation_id) from a token; InvitationUnavailable when forged
    or older than the invitation lifetime."""
    try:
        data = signing.loads(
            token,
            salt=INVITATION_SALT,
            max_age=timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
        )
        return int(data["t"]), int(data["i"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvitationUnavailable from exc


def invitation_send(*, invitation: Invitation) -> None:
    """E-mail the invitation link; counts every send."""
    if invitation.status != Invitation.Status.PENDING:
        return
    tenant = Tenant.objects.get(pk=invitation.tenant_id)
    path = reverse("invitation_accept", args=[invitation_token(invitation=invitation)])
    context = {
        "tenant": tenant,
        "invitation": invitation,
        "url": settings.SITE_URL.rstrip("/") + path,
        "role": invitation.get_role_display(),
    }
    send_mail(
        subject=_("You are invited to %(tenant)s's partner program") % {"tenant": tenant.name},
        message=render_to_string("emails/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_count=F("sent_count") + 1, last_sent_at=timezone.now()
    )


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Turn a pending, unexpired invitation into a membership, exactly once.

    The status moves pending → accepted with a compare-and-swap UPDATE, so a
    replayed or concurrent second use changes nothing and is refused.
    """
    if user.email.lower() != invitation.email.lower():
        raise InvitationUnavailable(_("This invitation was sent to another e-mail address."))
    with transaction.atomic():
        claimed = Invitation.objects.filter(
            pk=invitation.pk,
            status=Invitation.Status.PENDING,
            expires_at__gt=timezone.now(),
        ).update(status=Invitation.Status.ACCEPTED, accepted_at=timezone.now(), accepted_by=user)
        if claimed != 1:
            raise InvitationUnavailable(_("This invitation has expired or was already used."))
        if Membership.objects.filter(user=user).exists():
            raise InvitationUnavailable(_("You are already a member of this program."))
        membership = Membership.objects.create(
            user=user, role=invitation.role, partner_id=invitation.partner_id
        )
        audit_record(
            actor=user, action="invitation.accepted", target=invitation, membership_id=membership.pk
        )
    return membership


def invitations_expire() -> int:
    """Mark the current tenant's overdue pending invitations expired, in one statement."""
    return Invitation.objects.filter(
        status=Invitation.Status.PENDING, expires_at__lte=timezone.now()
    ).update(status=Invitation.Status.EXPIRED)


def tenant_update(*, tenant: Tenant, by: Membership, **fields) -> Tenant:
    allowed = {"name", "default_currency", "locale", "require_mfa_for_vendor_roles"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    with transaction.atomic():
        for name, value in fields.items():
            setattr(tenant, name, value)
        tenant.full_clean()
        tenant.save(update_fields=[*fields, "updated_at"])
        audit_record(actor=by.user, action="tenant.updated", target=tenant, fields=sorted(fields))
    return tenant


def _check_can_manage(*, member: Membership, by: Membership) -> None:
    """Partner admins manage their own organisation's people; vendor admins anyone."""
    if by.role == Role.VENDOR_ADMIN:
        return
    if by.role == Role.PARTNER_ADMIN and member.partner_id == by.partner_id:
        return
    raise ValidationError(_("You may not manage this person."))


def _keeps_a_partner_admin(member: Membership, *, losing: bool) -> None:
    if not losing or member.role != Role.PARTNER_ADMIN or member.partner_id is None:
        return
    others = Membership.objects.filter(
        partner_id=member.partner_id, role=Role.PARTNER_ADMIN, is_active=True
    ).exclude(pk=member.pk)
    if not others.exists():
        raise ValidationError(_("An organisation needs at least one active partner admin."))


def membership_deactivate(*, member: Membership, by: Membership) -> None:
    """Deactivated people lose access at once; their records stay."""
    _check_can_manage(member=member, by=by)
    if member.pk == by.pk:
        raise ValidationError(_("You cannot deactivate yourself."))
    _keeps_a_partner_admin(member, losing=member.is_active)
    with transaction.atomic():
        Membership.objects.filter(pk=member.pk).update(is_active=False)
        audit_record(actor=by.user, action="membership.deactivated", target=member)


def membership_reactivate(*, member: Membership, by: Membership) -> None:
    _check_can_manage(member=member, by=by)
    with transaction.atomic():
        Membership.objects.filter(pk=member.pk).update(is_active=True)
        audit_record(actor=by.user, action="membership.reactivated", target=member)


def membership_change_role(*, member: Membership, role: str, by: Membership) -> None:
    """Partner admins switch their people between partner admin and rep."""
    _check_can_manage(member=member, by=by)
    allowed = PARTNER_ROLES if member.is_partner else VENDOR_ROLES
    if role not in allowed:
        raise ValidationError({"role": _("This role does not fit this person.")})
    if member.pk == by.pk:
        raise ValidationError(_("You cannot change your own role."))
    _keeps_a_partner_admin(member, losing=role != Role.PARTNER_ADMIN)
    with transaction.atomic():
        Membership.objects.filter(pk=member.pk).update(role=role)
        audit_record(actor=by.user, action="membership.role_changed", target=member, role=role)
