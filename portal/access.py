"""Policy checks for views inside a tenant (the middleware has already checked
the area).  The services check the same policy again; the view's check turns
a forbidden page into a 403 before any form is shown."""

import functools

from django.core.exceptions import PermissionDenied

from prm.policies import Policy


def policy_required(policy: Policy):
    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not policy(request.membership):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.policy = policy
        return wrapper

    return decorate
