"""Read queries of the tenancy core."""

from django.db.models import QuerySet
from django.http import Http404

from .models import Invitation, Membership, Tenant, User
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


def membership_in_tenant(*, user: User, tenant: Tenant) -> Membership | None:
    """Within the tenant's context: the user's active membership, or None."""
    return (
        Membership.objects.filter(user_id=user.pk, is_active=True).select_related("partner").first()
    )


def team_visible_to(*, membership: Membership) -> QuerySet[Membership]:
    """Vendor roles see all of the tenant's people; partner users their own organisation's."""
    team = Membership.objects.select_related("user", "partner")
    if membership.is_partner:
        team = team.filter(partner_id=membership.partner_id)
    return team.order_by("user__email")


def team_member_get(*, membership: Membership, member_id: int) -> Membership:
    member = team_visible_to(membership=membership).filter(pk=member_id).first()
    if member is None:
        raise Http404
    return member


def invitations_visible_to(*, membership: Membership) -> QuerySet[Invitation]:
    invitations = Invitation.objects.select_related("partner", "invited_by")
    if membership.is_partner:
        invitations = invitations.filter(partner_id=membership.partner_id)
    return invitations.order_by("-created_at")


def invitation_get(*, membership: Membership, invitation_id: int) -> Invitation:
    invitation = invitations_visible_to(membership=membership).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    return invitation


def vendor_staff() -> QuerySet[User]:
    """Active people holding an active vendor role in the current tenant
    (who may be an account manager or review applications)."""
    active = Membership.objects.filter(role__in=VENDOR_ROLES, is_active=True).values("user_id")
    return User.objects.filter(pk__in=active, is_active=True).order_by("full_name", "email")


def tenant_by_slug(*, slug: str) -> Tenant | None:
    """An active tenant by its URL name (tenants are global rows)."""
    return Tenant.objects.filter(slug=slug, is_active=True).first()
