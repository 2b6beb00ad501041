"""Read queries of the tenancy core."""

from django.db.models import QuerySet

from .models import Membership, Tenant, User
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


def vendor_staff() -> QuerySet[User]:
    """Active people holding an active vendor role in the current tenant
    (who may be an account manager or review applications)."""
    active = Membership.objects.filter(role__in=VENDOR_ROLES, is_active=True).values("user_id")
    return User.objects.filter(pk__in=active, is_active=True).order_by("full_name", "email")


def tenant_by_slug(*, slug: str) -> Tenant | None:
    """An active tenant by its URL name (tenants are global rows)."""
    return Tenant.objects.filter(slug=slug, is_active=True).first()
