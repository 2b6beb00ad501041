"""The vendor's partner directory and the partner 360 page."""

from django.shortcuts import render

from partners.selectors.organisations import partner_get, partner_list
from prm import selectors


def partners(request):
    return render(
        request,
        "directory/partners.html",
        {"partners": partner_list(membership=request.membership)},
    )


def partner_detail(request, partner_id: int):
    partner = partner_get(membership=request.membership, partner_id=partner_id)
    team = selectors.team_visible_to(membership=request.membership).filter(partner=partner)
    return render(request, "directory/partner_detail.html", {"partner": partner, "team": team})
