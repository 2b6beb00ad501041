"""Read queries of the tenancy core."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import (
    ExportJob,
    Invitation,
    Membership,
    Notification,
    NotificationPreference,
    Tenant,
    User,
)
from .roles import VENDOR_ROLES
from .tenancy import current_scope, user_context


def memberships_of_user(*, user: User) -> list[Membership]:
    """The user's active memberships in every active tenant (row-level security
    lets a user read their own memberships across tenants, nothing else)."""

    def fetch() -> list[Membership]:
        return list(
            Membership.all_tenants.filter(user_id=user.pk, is_active=True, tenant__is_active=True)
            .select_related("tenant")
            .order_by("tenant__name")
        )

    scope = current_scope()
    if scope is not None and scope.user_id == user.pk:
        return fetch()
    with user_context(user.pk):
        return fetch()


# Relations of a membership that apps add (the partner a person works for is
# kept by the partners app) and every request needs; the apps name them at
# start-up so the request's membership is loaded with them in one query.
_MEMBERSHIP_RELATIONS: set[str] = set()


def membership_relations_register(*names: str) -> None:
    _MEMBERSHIP_RELATIONS.update(names)


def membership_in_tenant(*, user: User, tenant: Tenant) -> Membership | None:
    """Within the tenant's context: the user's active membership, or None."""
    return (
        Membership.objects.filter(user_id=user.pk, is_active=True)
        .select_related(*sorted(_MEMBERSHIP_RELATIONS))
        .first()
    )


def vendor_staff(*, including_former: bool = False) -> QuerySet[User]:
    """Active people holding an active vendor role in the current tenant (who may
    be an account manager or review applications); with ``including_former``
    also those no longer active, e.g. to filter by past account managers."""
    staff = Membership.objects.filter(role__in=VENDOR_ROLES)
    users = User.objects.all()
    if not including_former:
        staff, users = staff.filter(is_active=True), users.filter(is_active=True)
    return users.filter(pk__in=staff.values("user_id")).order_by("full_name", "email")


def invitation_open(*, invitation_id: int) -> Invitation | None:
    """Within the invitation's tenant: the invitation if it is pending and unexpired."""
    return Invitation.objects.filter(
        pk=invitation_id, status=Invitation.Status.PENDING, expires_at__gt=timezone.now()
    ).first()


def user_by_email(*, email: str) -> User | None:
    return User.objects.filter(email__iexact=email).first()


def tenant_by_id(*, tenant_id: int) -> Tenant | None:
    return Tenant.objects.filter(pk=tenant_id, is_active=True).first()


def tenant_by_slug(*, slug: str) -> Tenant | None:
    """An active tenant by its URL name (tenants are global rows)."""
    return Tenant.objects.filter(slug=slug, is_active=True).first()


def exports_of(*, membership: Membership, limit: int = 20) -> list[ExportJob]:
    """The person's latest exports, newest first (each person sees only their own)."""
    return list(
        ExportJob.objects.filter(requested_by=membership).order_by("-created_at", "-pk")[:limit]
    )


def export_get(*, membership: Membership, export_id: int) -> ExportJob:
    """One of the person's exports; the same 404 for missing and someone else's."""
    return get_object_or_404(ExportJob, pk=export_id, requested_by=membership)


def notifications_of(*, membership: Membership) -> QuerySet[Notification]:
    """The person's notifications (the inbox pages them newest first)."""
    return Notification.objects.filter(recipient=membership)


def notification_get(*, membership: Membership, notification_id: int) -> Notification:
    """One of the person's notifications; anyone else's is a 404."""
    return get_object_or_404(Notification, pk=notification_id, recipient=membership)


def unread_notifications_of(*, membership: Membership, limit: int) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=membership, read_at__isnull=True).order_by(
            "-created_at", "-pk"
        )[:limit]
    )


def unread_notification_count(*, membership: Membership) -> int:
    return Notification.objects.filter(recipient=membership, read_at__isnull=True).count()


def notification_preferences_of(*, membership: Membership) -> dict[str, str]:
    """The person's e-mail choice per kind they set one for."""
    return dict(
        NotificationPreference.objects.filter(membership=membership).values_list("kind", "email")
    )


def member_ids_holding(policy) -> list[int]:
    """The current tenant's active people whose role holds ``policy`` (who to
    tell that something waits for a decision)."""
    return list(
        Membership.objects.filter(is_active=True, role__in=policy.roles)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def member_ids_of_users(user_ids) -> list[int]:
    """The current tenant's active memberships of these users."""
    return list(
        Membership.objects.filter(is_active=True, user_id__in=[u for u in user_ids if u])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
