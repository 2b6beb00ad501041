"""Partner portal pages."""

from django.shortcuts import render

from prm import selectors


def dashboard(request):
    membership = request.membership
    context = {
        "partner": membership.partner,
        "team_size": selectors.team_visible_to(membership=membership)
        .filter(is_active=True)
        .count(),
    }
    return render(request, "portal/dashboard.html", context)


def team(request):
    return render(
        request,
        "portal/team.html",
        {"members": selectors.team_visible_to(membership=request.membership)},
    )


def team_member(request, member_id: int):
    member = selectors.team_member_get(membership=request.membership, member_id=member_id)
    return render(request, "portal/team_member.html", {"member": member})
