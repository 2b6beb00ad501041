"""Partner portal pages: home and the partner's own team."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.selectors.people import (
    partner_of,
    pending_invitations_visible_to,
    team_member_get,
    team_visible_to,
)
from partners.services import people
from prm import policies
from prm.roles import Role

from .access import policy_required
from .forms import InvitationForm, apply_validation_error
from .partner_home import partner_home
from .team_actions import revoke_invitation


def dashboard(request):
    """The partner's home: what this person should do today, most urgent first."""
    membership = request.membership
    home = partner_home(membership=membership, tenant=request.tenant)
    context = {
        "partner": partner_of(membership),
        "home": home,
        "items": home.items,
        "team_size": home.team_size,
        "recent_decisions": home.recent_decisions,
    }
    return render(request, "portal/dashboard.html", context)


def team(request):
    membership = request.membership
    is_admin = policies.can_manage_team(membership)
    form = InvitationForm(
        request.POST or None, roles=policies.invitable_roles(membership), partner_search=None
    )
    if request.method == "POST":
        if not policies.can_invite_people(membership):
            raise PermissionDenied
        if form.is_valid():
            try:
                people.person_invite(by=membership, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request,
                    _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]},
                )
                return redirect("portal:team", tenant_slug=request.tenant.slug)
    return render(
        request,
        "portal/team.html",
        {
            "members": team_visible_to(membership=membership),
            "invitations": pending_invitations_visible_to(membership=membership)
            if is_admin
            else [],
            "form": form if is_admin else None,
            "is_admin": is_admin,
            "roles": [(r.value, r.label) for r in (Role.PARTNER_ADMIN, Role.PARTNER_REP)],
        },
        status=400 if form.errors else 200,
    )


def team_member(request, member_id: int):
    member = team_member_get(membership=request.membership, member_id=member_id)
    return render(
        request,
        "portal/team_member.html",
        {
            "member": member,
            "is_admin": policies.can_manage_team(request.membership),
            "roles": [(r.value, r.label) for r in (Role.PARTNER_ADMIN, Role.PARTNER_REP)],
        },
    )


@require_POST
@policy_required(policies.can_manage_team)
def team_member_action(request, member_id: int):
    member = team_member_get(membership=request.membership, member_id=member_id)
    action = request.POST.get("action")
    try:
        if action == "deactivate":
            people.membership_deactivate(member=member, by=request.membership)
        elif action == "reactivate":
            people.membership_reactivate(member=member, by=request.membership)
        elif action == "role":
            people.membership_change_role(
                member=member, role=request.POST.get("role", ""), by=request.membership
            )
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return render(
            request,
            "portal/team_member.html",
            {
                "member": member,
                "is_admin": True,
                "roles": [(r.value, r.label) for r in (Role.PARTNER_ADMIN, Role.PARTNER_REP)],
            },
            status=400,
        )
    messages.success(request, _("Saved."))
    return redirect("portal:team_member", tenant_slug=request.tenant.slug, member_id=member.pk)


@require_POST
@policy_required(policies.can_invite_people)
def invitation_revoke(request, invitation_id: int):
    revoke_invitation(request, invitation_id)
    return redirect("portal:team", tenant_slug=request.tenant.slug)
