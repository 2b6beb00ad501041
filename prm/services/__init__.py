"""Business actions of the tenancy core: invitations and tenant settings.

The core knows roles, not partner organisations: an invitation to a partner
role is bound to its organisation by the caller (``bind``), and accepting it
asks the receivers of ``invitation_accepted`` to bind the new membership the
same way, in the same transaction.  People management with its partner rules
is in ``partners.services.people``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from ..actions import action, open_action, system_action
from ..audit import audit_record
from ..enqueue import enqueue_after_commit
from ..links import link
from ..models import Invitation, Membership, Tenant, User
from ..policies import can_change_tenant_settings, can_invite_people, invitable_roles
from ..roles import PARTNER_ROLES
from ..tokens import InvitationUnavailable, invitation_token

# Sent inside the acceptance transaction: (sender=Invitation, invitation, membership).
# A receiver that binds the membership to what the invitation was for returns
# True; an invitation to a partner role that no receiver binds is refused.
invitation_accepted = Signal()


@action(can_invite_people)
def invitation_create(
    *,
    by: Membership,
    email: str,
    role: str,
    bind: Callable[[Invitation], None] | None = None,
) -> Invitation:
    """Invite ``email`` into the current tenant with ``role`` (one of the roles
    the inviter may give).  A partner role needs ``bind``, which ties the new
    invitation to its organisation in the same transaction.  The link is
    e-mailed after the transaction commits."""
    email = email.strip().lower()
    if role not in invitable_roles(by):
        raise ValidationError({"role": _("You may not invite people with this role.")})
    if role in PARTNER_ROLES and bind is None:
        raise ValueError("An invitation to a partner role must be bound to its organisation.")
    if Membership.objects.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    pending = _("An invitation to this address is already pending.")
    if Invitation.objects.filter(email=email, status=Invitation.Status.PENDING).exists():
        raise ValidationError({"email": pending})
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                email=email,
                role=role,
                invited_by=by.user,
                expires_at=timezone.now() + timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
            )
            if bind is not None:
                bind(invitation)
            audit_record(
                actor=by.user,
                action="invitation.created",
                target=invitation,
                email=email,
                role=role,
            )
            _send_after_commit(invitation)
    except IntegrityError as error:
        # The same invitation, sent at the same moment (a double click).
        raise ValidationError({"email": pending}) from error
    return invitation


def _send_after_commit(invitation: Invitation) -> None:
    enqueue_after_commit("prm.invitation_send", invitation.pk)


@action(can_invite_people)
def invitation_resend(*, invitation: Invitation, by: Membership) -> None:
    """Send a pending invitation again, with a fresh expiry."""
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError(_("Only pending invitations can be sent again."))
    with transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
        )
        audit_record(actor=by.user, action="invitation.resent", target=invitation)
        _send_after_commit(invitation)


@action(can_invite_people)
def invitation_revoke(*, invitation: Invitation, by: Membership) -> None:
    with transaction.atomic():
        changed = Invitation.objects.filter(
            pk=invitation.pk, status=Invitation.Status.PENDING
        ).update(status=Invitation.Status.REVOKED)
        if not changed:
            raise ValidationError(_("Only pending invitations can be revoked."))
        audit_record(actor=by.user, action="invitation.revoked", target=invitation)


@system_action
def invitation_send(*, invitation: Invitation) -> None:
    """E-mail the invitation link; counts every send."""
    if invitation.status != Invitation.Status.PENDING:
        return
    tenant = Tenant.objects.get(pk=invitation.tenant_id)
    context = {
        "tenant": tenant,
        "invitation": invitation,
        "url": link("invitation_accept", token=invitation_token(invitation=invitation)),
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


@open_action("the invitee proves the address with the signed link and their login")
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
        try:
            with transaction.atomic():
                membership = Membership.objects.create(user=user, role=invitation.role)
        except IntegrityError as error:  # joined through another invitation just now
            raise InvitationUnavailable(_("You are already a member of this program.")) from error
        bound = invitation_accepted.send(
            sender=Invitation, invitation=invitation, membership=membership
        )
        if invitation.role in PARTNER_ROLES and not any(result for _r, result in bound):
            raise InvitationUnavailable(_("This invitation is not tied to a partner."))
        audit_record(
            actor=user, action="invitation.accepted", target=invitation, membership_id=membership.pk
        )
    return membership


@open_action("the invitee proves the address with the signed link")
def invitation_accept_as_new_user(*, invitation: Invitation, full_name: str, password: str) -> User:
    """An invitee without an account chooses a name and password and accepts,
    all or nothing.  The invitation reached the address, which verifies it."""
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=invitation.email, password=password, full_name=full_name
            )
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            invitation_accept(invitation=invitation, user=user)
    except IntegrityError as error:
        # The same form sent twice at once: the first one made the account.
        raise InvitationUnavailable(
            _("This invitation was just accepted; sign in with your new password.")
        ) from error
    return user


@system_action
def invitations_expire() -> int:
    """Mark the current tenant's overdue pending invitations expired, in one statement."""
    return Invitation.objects.filter(
        status=Invitation.Status.PENDING, expires_at__lte=timezone.now()
    ).update(status=Invitation.Status.EXPIRED)


@action(can_change_tenant_settings)
def tenant_update(*, tenant: Tenant, by: Membership, **fields) -> Tenant:
    """Change the program's name, default currency, locale or MFA rule."""
    allowed = {"name", "default_currency", "locale", "require_mfa_for_vendor_roles"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    if tenant.pk != by.tenant_id:
        raise ValidationError(_("You may only change your own program."))
    with transaction.atomic():
        for name, value in fields.items():
            setattr(tenant, name, value)
        tenant.full_clean()
        tenant.save(update_fields=[*fields, "updated_at"])
        audit_record(actor=by.user, action="tenant.updated", target=tenant, fields=sorted(fields))
    return tenant
