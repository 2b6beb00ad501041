"""Vendor console pages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.selectors.people import (
    invitation_get,
    pending_invitations_visible_to,
    team_visible_to,
)
from partners.services.people import person_invite
from prm import policies, services

from .access import policy_required
from .console_home import console_home
from .forms import InvitationForm, TenantSettingsForm, apply_validation_error, partner_search
from .team_actions import revoke_invitation


def dashboard(request):
    """The home: what the member has to do today (``portal.console_home``)."""
    home = console_home(membership=request.membership, tenant_slug=request.tenant.slug)
    return render(request, "console/dashboard.html", {"home": home})


@policy_required(policies.can_invite_people)
def team(request):
    membership = request.membership
    form = InvitationForm(
        request.POST or None,
        roles=policies.invitable_roles(membership),
        partner_search=partner_search(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            person_invite(by=membership, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("console:team", tenant_slug=request.tenant.slug)
    context = {
        "form": form,
        "members": team_visible_to(membership=membership),
        "invitations": pending_invitations_visible_to(membership=membership),
    }
    return render(request, "console/team.html", context, status=400 if form.errors else 200)


@require_POST
@policy_required(policies.can_invite_people)
def invitation_revoke(request, invitation_id: int):
    revoke_invitation(request, invitation_id)
    return redirect("console:team", tenant_slug=request.tenant.slug)


@require_POST
@policy_required(policies.can_invite_people)
def invitation_resend(request, invitation_id: int):
    invitation = invitation_get(membership=request.membership, invitation_id=invitation_id)
    try:
        services.invitation_resend(invitation=invitation, by=request.membership)
        messages.success(request, _("Invitation sent again."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("console:team", tenant_slug=request.tenant.slug)


@policy_required(policies.can_change_tenant_settings)
def settings_view(request):
    tenant = request.tenant
    form = TenantSettingsForm(request.POST or None, instance=tenant)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        if changed:
            services.tenant_update(tenant=tenant, by=request.membership, **changed)
        messages.success(request, _("Settings saved."))
        return redirect("console:settings", tenant_slug=tenant.slug)
    return render(
        request, "console/settings.html", {"form": form}, status=400 if form.errors else 200
    )
