"""Background jobs of the tenancy core: invitation e-mails and expiry, plain
e-mail, the outbox sweep and list exports."""

from django.core.mail import send_mail

from . import services
from .enqueue import outbox_pending, publish
from .jobs import fan_out, system_task, tenant_task
from .models import Invitation
from .services import exports, notifications
from .tenancy import tenant_context


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


@tenant_task(name="prm.email_send", autoretry_for=(ConnectionError, OSError))
def email_send(subject: str, body: str, recipients: list[str]) -> None:
    """Plain e-mail of a tenant's action, sent by a worker from the outbox."""
    send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients)


@system_task(name="prm.outbox_sweep")
def outbox_sweep(tenant_id: int) -> int:
    """Publish the tenant's outbox messages that did not reach the broker (or
    whose task never ran).  Read inside the tenant, published outside it."""
    with tenant_context(int(tenant_id)):
        pending = outbox_pending()
    return sum(publish(*message) for message in pending)


@system_task(name="prm.outbox_sweep_all_tenants")
def outbox_sweep_all_tenants() -> int:
    """Beat job: one outbox sweep per tenant."""
    return fan_out("prm.outbox_sweep")


@tenant_task(name="prm.export_run")
def export_run(export_id: int) -> None:
    exports.export_write(export_id=export_id)


@tenant_task(name="prm.exports_purge")
def exports_purge() -> int:
    return exports.exports_purge()


@system_task(name="prm.exports_purge_all_tenants")
def exports_purge_all_tenants() -> int:
    """Beat job: one clean-up of old exports per tenant."""
    return fan_out("prm.exports_purge")


@tenant_task(name="prm.notification_email", autoretry_for=(ConnectionError, OSError))
def notification_email(notification_id: int) -> bool:
    """One notification e-mailed to its recipient, sent from the outbox."""
    return notifications.notification_email_send(notification_id=notification_id)


@tenant_task(name="prm.notifications_digest", autoretry_for=(ConnectionError, OSError))
def notifications_digest() -> int:
    return notifications.notifications_digest_send()


@system_task(name="prm.notifications_digest_all_tenants")
def notifications_digest_all_tenants() -> int:
    """Beat job: one daily digest run per tenant."""
    return fan_out("prm.notifications_digest")
