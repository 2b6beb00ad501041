"""Background jobs of the tenancy core: invitation e-mails and expiry, plain e-mail."""

from django.core.mail import send_mail

from . import services
from .jobs import fan_out, system_task, tenant_task
from .models import Invitation


@tenant_task(name="prm.invitation_send")
def invitation_send(invitation_id: int) -> None:
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is not None:
        services.invitation_send(invitation=invitation)


@tenant_task(name="prm.invitations_expire")
def invitations_expire() -> int:
    return services.invitations_expire()


@system_task(name="prm.invitations_expire_all_tenants")
def invitations_expire_all_tenants() -> int:
    """Beat job: one expiry task per tenant."""
    return fan_out("prm.invitations_expire")


@system_task(name="prm.email_send", autoretry_for=(ConnectionError, OSError))
def email_send(subject: str, body: str, recipients: list[str]) -> None:
    """Plain e-mail, sent outside the request; the caller enqueues it on commit."""
    send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients)
