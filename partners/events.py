"""The moments of a partner organisation the program may reward, registered
with ``prm.events`` at start-up, and how the partners services record them.

Both are the organisation's: rewarded once per partner, to the person who
did it when a person of the partner did (the admin who completed the
profile), otherwise to the partner's longest-serving active admin."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prm.events import EventKind, event_kind_register, event_record, event_record_many
from prm.models import Membership, User

from .selectors.people import first_admins_of_partners

ONBOARDING_FINISHED = "onboarding_finished"
PROFILE_COMPLETED = "profile_completed"


def register_events() -> None:
    event_kind_register(EventKind(ONBOARDING_FINISHED, _("Onboarding finished"), organisation=True))
    event_kind_register(EventKind(PROFILE_COMPLETED, _("Profile completed"), organisation=True))


def onboardings_finished_record(onboardings: list[tuple[int, int]]) -> None:
    """``(partner_id, onboarding_id)`` of onboardings just finished."""
    admins = first_admins_of_partners(partner_ids=[partner_id for partner_id, _id in onboardings])
    event_record_many(
        ONBOARDING_FINISHED,
        [
            {"membership_id": admins.get(partner_id), "partner_id": partner_id, "source_id": pk}
            for partner_id, pk in onboardings
        ],
    )


def profile_completed_record(*, partner_id: int, actor: User | None) -> None:
    person = (
        Membership.objects.filter(user=actor, partner_link__partner_id=partner_id, is_active=True)
        .values_list("pk", flat=True)
        .first()
        if actor is not None
        else None
    )
    if person is None:
        person = first_admins_of_partners(partner_ids=[partner_id]).get(partner_id)
    event_record(
        PROFILE_COMPLETED, membership_id=person, partner_id=partner_id, source_id=partner_id
    )
