"""Pages outside any tenant: the landing redirect, home (the program chooser),
the way into a program's console or portal, and accepting an invitation."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from prm.selectors import invitation_open, memberships_of_user, tenant_by_id, user_by_email
from prm.services import invitation_accept, invitation_accept_as_new_user
from prm.tenancy import tenant_context
from prm.tokens import InvitationUnavailable, invitation_token_parse

from .forms import AcceptInvitationForm


def landing(request):
    if not request.user.is_authenticated:
        return redirect("account_login")
    return redirect("home")


@login_required
def home(request):
    memberships = memberships_of_user(user=request.user)
    if len(memberships) == 1:
        return redirect("tenant_root", tenant_slug=memberships[0].tenant.slug)
    return render(request, "front/home.html", {"memberships": memberships})


def tenant_root(request):
    area = "console:dashboard" if request.membership.is_vendor else "portal:dashboard"
    return redirect(area, tenant_slug=request.tenant.slug)


def _unavailable(request, reason: str | None = None):
    return render(
        request,
        "front/invitation_unavailable.html",
        {"reason": reason or _("This invitation link is invalid, expired or already used.")},
        status=410,
    )


@never_cache
def invitation_accept_view(request, token: str):
    """The token's signature tells which tenant to enter; nothing the client sends does."""
    try:
        tenant_id, invitation_id = invitation_token_parse(token)
    except InvitationUnavailable:
        return _unavailable(request)
    tenant = tenant_by_id(tenant_id=tenant_id)
    if tenant is None:
        return _unavailable(request)
    with tenant_context(tenant.pk):
        invitation = invitation_open(invitation_id=invitation_id)
        if invitation is None:
            return _unavailable(request)
        if request.user.is_authenticated and request.user.email.lower() != invitation.email:
            return render(
                request, "front/invitation_other_user.html", {"invitation": invitation}, status=403
            )
        existing = user_by_email(email=invitation.email)
        if existing is not None and request.user != existing:
            messages.info(
                request,
                _("Sign in as %(email)s to accept the invitation.") % {"email": invitation.email},
            )
            return redirect(f"{_login_url()}?next={request.path}")
        form = AcceptInvitationForm(request.POST or None) if existing is None else None
        if request.method == "POST" and (form is None or form.is_valid()):
            try:
                if existing is not None:
                    user = existing
                    invitation_accept(invitation=invitation, user=user)
                else:
                    user = invitation_accept_as_new_user(
                        invitation=invitation,
                        full_name=form.cleaned_data["full_name"],
                        password=form.cleaned_data["password1"],
                    )
            except InvitationUnavailable as error:
                return _unavailable(request, str(error) if error.args else None)
            if existing is None:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Welcome to %(tenant)s's partner program.") % {"tenant": tenant.name}
            )
            return redirect("tenant_root", tenant_slug=tenant.slug)
        return render(
            request,
            "front/invitation_accept.html",
            {"invitation": invitation, "tenant": tenant, "form": form},
        )


def _login_url() -> str:
    return reverse("account_login")
