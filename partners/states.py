"""The life cycle of a partner organisation as an explicit transition table,
and the questions views and services ask about it."""

from .models import PartnerApplication, PartnerStatus

S = PartnerStatus
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.APPLICANT: frozenset({S.ONBOARDING, S.TERMINATED}),
    S.ONBOARDING: frozenset({S.ACTIVE, S.SUSPENDED, S.TERMINATED}),
    S.ACTIVE: frozenset({S.SUSPENDED, S.TERMINATED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.TERMINATED}),
    S.TERMINATED: frozenset(),
}


def can_move_partner(partner, to_status: str) -> bool:
    return to_status in ALLOWED_TRANSITIONS.get(partner.status, frozenset())


def status_moves(partner) -> frozenset[str]:
    """The statuses the partner may go to from where it is."""
    return ALLOWED_TRANSITIONS.get(partner.status, frozenset())


def application_is_open(application) -> bool:
    """Pending: the application still waits for the vendor's decision."""
    return application.status == PartnerApplication.Status.PENDING
