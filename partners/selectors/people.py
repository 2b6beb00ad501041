"""Read queries of the people of a program: which partner a person works for,
the team a person may see, and the invitations they may see.

Vendor roles see all of the tenant's people and invitations; partner people
see their own organisation's only.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from prm.models import Invitation, Membership
from prm.roles import PARTNER_ROLES, Role

from ..models import Partner


def partner_id_of(membership: Membership) -> int | None:
    """The partner a partner-side membership works for (None for vendor staff, or
    a partner role without a link, which then sees nothing)."""
    if not membership.is_partner:
        return None
    link = getattr(membership, "partner_link", None)
    return link.partner_id if link is not None else None


def partner_of(membership: Membership) -> Partner | None:
    if partner_id_of(membership) is None:
        return None
    return membership.partner_link.partner


def people_of_partner(*, partner_id: int) -> QuerySet[Membership]:
    """The partner's active people with an active login."""
    return Membership.objects.filter(
        partner_link__partner_id=partner_id,
        role__in=sorted(PARTNER_ROLES),
        is_active=True,
        user__is_active=True,
    )


def emails_of_partners(*, partner_ids: list[int]) -> dict[int, list[str]]:
    """The sign-in e-mails of each partner's active people, in one query."""
    found: dict[int, set[str]] = {}
    rows = Membership.objects.filter(
        partner_link__partner_id__in=partner_ids,
        role__in=sorted(PARTNER_ROLES),
        is_active=True,
        user__is_active=True,
    ).values_list("partner_link__partner_id", "user__email")
    for partner_id, email in rows:
        found.setdefault(partner_id, set()).add(email)
    return {partner_id: sorted(emails) for partner_id, emails in found.items()}


def member_ids_of_partners(*, partner_ids, roles=PARTNER_ROLES) -> dict[int, list[int]]:
    """The active memberships (with one of ``roles``) of each partner, in one query."""
    found: dict[int, list[int]] = {}
    rows = Membership.objects.filter(
        partner_link__partner_id__in=list(partner_ids),
        role__in=sorted(roles),
        is_active=True,
        user__is_active=True,
    ).values_list("partner_link__partner_id", "pk")
    for partner_id, membership_id in rows.order_by("pk"):
        found.setdefault(partner_id, []).append(membership_id)
    return found


def team_visible_to(*, membership: Membership) -> QuerySet[Membership]:
    team = Membership.objects.select_related("user", "partner_link__partner")
    if membership.is_partner:
        team = team.filter(partner_link__partner_id=partner_id_of(membership))
    return team.order_by("user__email")


def team_member_get(*, membership: Membership, member_id: int) -> Membership:
    member = team_visible_to(membership=membership).filter(pk=member_id).first()
    if member is None:
        raise Http404
    return member


def invitations_visible_to(*, membership: Membership) -> QuerySet[Invitation]:
    invitations = Invitation.objects.select_related("partner_link__partner", "invited_by")
    if membership.is_partner:
        invitations = invitations.filter(partner_link__partner_id=partner_id_of(membership))
    return invitations.order_by("-created_at")


def pending_invitations_visible_to(*, membership: Membership) -> QuerySet[Invitation]:
    return invitations_visible_to(membership=membership).filter(status=Invitation.Status.PENDING)


def invitation_get(*, membership: Membership, invitation_id: int) -> Invitation:
    invitation = invitations_visible_to(membership=membership).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    return invitation


def first_admins_of_partners(*, partner_ids: list[int]) -> dict[int, int]:
    """Each partner's longest-serving active partner admin (a membership id),
    in one query: who is named for what the organisation as a whole did."""
    rows = (
        Membership.objects.filter(
            partner_link__partner_id__in=partner_ids, role=Role.PARTNER_ADMIN, is_active=True
        )
        .order_by("partner_link__partner_id", "pk")
        .distinct("partner_link__partner_id")
        .values_list("partner_link__partner_id", "pk")
    )
    return dict(rows)
