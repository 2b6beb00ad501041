"""Partner portal pages: home and the partner's own team."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.selectors.agreements import current_agreement, partner_has_accepted_current
from partners.selectors.onboarding import onboarding_progress
from prm import selectors, services
from prm.models import Invitation
from prm.roles import PARTNER_ROLES, Role

from .access import roles_required
from .forms import InvitationForm, apply_validation_error
from .team_actions import revoke_invitation


def dashboard(request):
    membership = request.membership
    partner = membership.partner
    context = {
        "partner": partner,
        "team_size": selectors.team_visible_to(membership=membership)
        .filter(is_active=True)
        .count(),
        "agreement": current_agreement(),
        "agreement_ok": partner_has_accepted_current(partner=partner),
        "onboarding": onboarding_progress(partner=partner),
    }
    return render(request, "portal/dashboard.html", context)


def team(request):
    membership = request.membership
    is_admin = membership.role == Role.PARTNER_ADMIN
    form = InvitationForm(request.POST or None, roles=PARTNER_ROLES, partners=None)
    if request.method == "POST":
        if not is_admin:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.invitation_create(by=membership, **form.cleaned_data)
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
            "members": selectors.team_visible_to(membership=membership),
            "invitations": selectors.invitations_visible_to(membership=membership).filter(
                status=Invitation.Status.PENDING
            )
            if is_admin
            else [],
            "form": form if is_admin else None,
            "is_admin": is_admin,
            "roles": [(r.value, r.label) for r in (Role.PARTNER_ADMIN, Role.PARTNER_REP)],
        },
        status=400 if form.errors else 200,
    )


def team_member(request, member_id: int):
    member = selectors.team_member_get(membership=request.membership, member_id=member_id)
    return render(
        request,
        "portal/team_member.html",
        {
            "member": member,
            "is_admin": request.membership.role == Role.PARTNER_ADMIN,
            "roles": [(r.value, r.label) for r in (Role.PARTNER_ADMIN, Role.PARTNER_REP)],
        },
    )


@require_POST
@roles_required(Role.PARTNER_ADMIN)
def team_member_action(request, member_id: int):
    member = selectors.team_member_get(membership=request.membership, member_id=member_id)
    action = request.POST.get("action")
    try:
        if action == "deactivate":
            services.membership_deactivate(member=member, by=request.membership)
        elif action == "reactivate":
            services.membership_reactivate(member=member, by=request.membership)
        elif action == "role":
            services.membership_change_role(
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
@roles_required(Role.PARTNER_ADMIN)
def invitation_revoke(request, invitation_id: int):
    revoke_invitation(request, invitation_id)
    return redirect("portal:team", tenant_slug=request.tenant.slug)
