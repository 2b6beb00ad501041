from django.utils.functional import SimpleLazyObject

from .policies import Allowed
from .selectors import memberships_of_user


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
    }
