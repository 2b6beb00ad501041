"""Role checks for views inside a tenant (the middleware has already checked the area)."""

import functools

from django.core.exceptions import PermissionDenied


def roles_required(*roles: str):
    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.membership is None or request.membership.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
