"""The deal-registration life cycle as an explicit transition table."""

from .models import RegistrationStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.APPROVED, S.REJECTED, S.MORE_INFO}),
    S.MORE_INFO: frozenset({S.SUBMITTED, S.REJECTED}),
    S.APPROVED: frozenset({S.WON, S.LOST, S.EXPIRED}),
    S.REJECTED: frozenset(),
    S.WON: frozenset(),
    S.LOST: frozenset(),
    S.EXPIRED: frozenset(),
}

# Registrations that still claim the customer (used for conflict detection).
ACTIVE = frozenset({S.SUBMITTED, S.MORE_INFO, S.APPROVED})
# Statuses in which the partner may still edit the registration.
EDITABLE = frozenset({S.DRAFT, S.MORE_INFO})


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())
