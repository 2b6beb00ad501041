from celery import shared_task
from django.core.mail import send_mail

from . import services
from .models import Invitation, Tenant
from .tasks_base import tenant_task
from .tenancy import tenant_context


@tenant_task()
def invitation_send(invitation_id: int) -> None:
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is not None:
        services.invitation_send(invitation=invitation)


@tenant_task()
def invitations_expire() -> int:
    return services.invitations_expire()


@shared_task(acks_late=True)
def invitations_expire_all_tenants() -> int:
    """Beat job: every tenant in its own context and transaction."""
    expired = 0
    for tenant_id in Tenant.objects.filter(is_active=True).values_list("pk", flat=True):
        with tenant_context(tenant_id):
            expired += services.invitations_expire()
    return expired


@shared_task(
    acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=8
)
def email_send(subject: str, body: str, recipients: list[str]) -> None:
    """Plain e-mail, sent outside the request; the caller enqueues it on commit."""
    send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients)
