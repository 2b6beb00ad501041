"""The moments of deals the program may reward, registered with ``prm.events``
at start-up, and how the deals services record them.

A registration's events are the person's who registered it: submitting it,
its approval and its win (per won amount, in the deal's currency).  A lead
accepted before its deadline — the vendor's lead SLA — is the accepting
person's."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from prm.events import EventKind, event_kind_register, event_record, event_record_many
from prm.models import Membership

from .models import DealRegistration

DEAL_REGISTERED = "deal_registered"
REGISTRATION_APPROVED = "registration_approved"
DEAL_WON = "deal_won"
LEAD_ACCEPTED_IN_SLA = "lead_accepted_in_sla"


def register_events() -> None:
    event_kind_register(EventKind(DEAL_REGISTERED, _("Deal registered")))
    event_kind_register(EventKind(REGISTRATION_APPROVED, _("Registration approved")))
    event_kind_register(EventKind(DEAL_WON, _("Deal won"), per_amount=True))
    event_kind_register(EventKind(LEAD_ACCEPTED_IN_SLA, _("Lead accepted within its SLA")))


def registrations_record(
    key: str, registrations: Iterable[DealRegistration], *, on: datetime.date | None = None
) -> None:
    """Record ``key`` for each registration, as its registrant's (one query
    for the registrants' memberships however many there are)."""
    registrations = list(registrations)
    if not registrations:
        return
    members = dict(
        Membership.objects.filter(
            user_id__in={r.registered_by_id for r in registrations}
        ).values_list("user_id", "pk")
    )
    event_record_many(
        key,
        [
            {
                "membership_id": members.get(r.registered_by_id),
                "partner_id": r.partner_id,
                "source_id": r.pk,
                "amount": r.won_amount if key == DEAL_WON else None,
                "happened_on": (r.closed_on if key == DEAL_WON else None) or on,
            }
            for r in registrations
        ],
    )


def lead_accepted_record(*, lead_id: int, partner_id: int, by: Membership) -> None:
    event_record(
        LEAD_ACCEPTED_IN_SLA, membership_id=by.pk, partner_id=partner_id, source_id=lead_id
    )
