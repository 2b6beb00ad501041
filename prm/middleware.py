"""Resolves the tenant from the URL and runs the view inside it.

Every tenant page lives under ``/t/<tenant_slug>/``.  The slug is checked
against the signed-in user's active memberships; a non-member gets the same
404 as for a tenant that does not exist.  A tenant id sent in a form or JSON
body is never consulted.  The view (and the rendering of a lazy template
response) runs inside ``tenant_context``: one transaction with the tenant set
for both the ORM managers and row-level security.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .roles import PARTNER_ROLES, VENDOR_ROLES
from .selectors import membership_in_tenant, tenant_by_slug
from .tenancy import tenant_context

SIDES = {"vendor": VENDOR_ROLES, "partner": PARTNER_ROLES}


def _area_roles() -> dict[str, frozenset[str]]:
    """The web layer's URL namespaces and whose side each is (settings.TENANT_AREAS)."""
    return {namespace: SIDES[side] for namespace, side in settings.TENANT_AREAS.items()}


def _user_has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = None
        request.membership = None
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.pop("tenant_slug", None)
        if slug is None:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        tenant = tenant_by_slug(slug=slug)
        if tenant is None:
            raise Http404
        with tenant_context(tenant.pk, user_id=request.user.pk):
            membership = membership_in_tenant(user=request.user, tenant=tenant)
            if membership is None:
                raise Http404
            request.tenant, request.membership = tenant, membership
            namespace = request.resolver_match.namespaces[:1]
            allowed = _area_roles().get(namespace[0]) if namespace else None
            if allowed is not None and membership.role not in allowed:
                raise PermissionDenied
            if (
                tenant.require_mfa_for_vendor_roles
                and membership.is_vendor
                and not _user_has_totp(request.user)
            ):
                messages.warning(
                    request,
                    _(
                        "%(tenant)s requires two-factor authentication for its staff. "
                        "Set it up to continue."
                    )
                    % {"tenant": tenant.name},
                )
                return redirect("mfa_activate_totp")
            response = view_func(request, *view_args, **view_kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            return response
