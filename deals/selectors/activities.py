"""Reads of the activity log, narrowed to what a membership may see.

Vendor roles see every activity of the tenant; a partner's people only those
on their own partner's records (``Activity.partner``)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from partners.selectors.people import partner_id_of
from prm.models import Membership

from ..models import Activity, DealRegistration, Lead


def activities_visible_to(*, membership: Membership) -> QuerySet[Activity]:
    activities = Activity.objects.all()
    if membership.is_partner:
        activities = activities.filter(partner_id=partner_id_of(membership))
    return activities


def activities_for(
    *,
    membership: Membership,
    registration: DealRegistration | None = None,
    lead: Lead | None = None,
) -> QuerySet[Activity]:
    """The history of one registration or lead, newest first, with authors (one query)."""
    if (registration is None) == (lead is None):
        raise ValueError("Give exactly one of registration and lead.")
    activities = activities_visible_to(membership=membership).select_related("author")
    if registration is not None:
        activities = activities.filter(registration=registration)
    else:
        activities = activities.filter(lead=lead)
    return activities.order_by("-occurred_at", "-pk")


def activity_get(*, membership: Membership, activity_id: int) -> Activity:
    """The same 404 for an activity that does not exist and one that is not yours."""
    activity = activities_visible_to(membership=membership).filter(pk=activity_id).first()
    if activity is None:
        raise Http404
    return activity


def registration_for_activities(
    *, membership: Membership, registration_id: int
) -> DealRegistration:
    """A registration whose history the member may read and add to; the same
    404 for one that does not exist and one of another partner."""
    registrations = DealRegistration.objects.select_related("partner")
    if membership.is_partner:
        registrations = registrations.filter(partner_id=partner_id_of(membership))
    registration = registrations.filter(pk=registration_id).first()
    if registration is None:
        raise Http404
    return registration
