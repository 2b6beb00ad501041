from django.utils.functional import SimpleLazyObject

from .policies import Allowed
from .selectors import memberships_of_user, unread_notification_count
from .tenancy import current_tenant_id, tenant_context


def _unread(membership) -> int:
    if membership is None:
        return 0
    if current_tenant_id() == membership.tenant_id:
        return unread_notification_count(membership=membership)
    # An error page is rendered after the view left its tenant.
    with tenant_context(membership.tenant_id):
        return unread_notification_count(membership=membership)


def tenancy(request):
    """The tenant and membership of the request, the person's programs (for the
    switcher) and ``can``: the policies answered for this membership, so
    templates ask ``{% if can.invite_people %}`` instead of naming roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"tenant": None, "membership": None, "my_memberships": [], "can": Allowed(None)}
    membership = getattr(request, "membership", None)
    return {
        "tenant": getattr(request, "tenant", None),
        "membership": membership,
        "my_memberships": SimpleLazyObject(lambda: memberships_of_user(user=user)),
        "can": Allowed(membership),
        # Called by the template (once, in the bell), so pages without it pay nothing.
        "unread_notifications": lambda: _unread(membership),
    }
