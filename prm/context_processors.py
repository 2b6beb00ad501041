from django.utils.functional import SimpleLazyObject

from .selectors import memberships_of_user


def tenancy(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"tenant": None, "membership": None, "my_memberships": []}
    return {
        "tenant": getattr(request, "tenant", None),
        "membership": getattr(request, "membership", None),
        "my_memberships": SimpleLazyObject(lambda: memberships_of_user(user=user)),
    }
