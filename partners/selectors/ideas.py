"""Read queries of the ideas box."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from prm.models import Membership

from ..models import Idea
from .people import partner_id_of


@dataclass(frozen=True)
class IdeaFilters:
    status: str = ""
    partner_id: int | None = None


def ideas_visible_to(
    *, membership: Membership, filters: IdeaFilters = IdeaFilters()
) -> QuerySet[Idea]:
    """Vendor roles see every idea of the tenant; partner users their own partner's."""
    ideas = Idea.objects.select_related("partner", "author", "responded_by")
    if membership.is_partner:
        ideas = ideas.filter(partner_id=partner_id_of(membership))
    if filters.status:
        ideas = ideas.filter(status=filters.status)
    if filters.partner_id:
        ideas = ideas.filter(partner_id=filters.partner_id)
    return ideas.order_by("-created_at", "-pk")


def idea_get(*, membership: Membership, idea_id: int) -> Idea:
    idea = ideas_visible_to(membership=membership).filter(pk=idea_id).first()
    if idea is None:
        raise Http404
    return idea
