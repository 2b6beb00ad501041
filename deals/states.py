"""The life cycles of registrations and leads: explicit transition tables and
the questions views, templates and services ask about a record's state.

A predicate answers from the record's state alone; who may act is a policy
(``prm.policies``) and is asked separately.
"""

from .models import Lead
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
# Registrations waiting for the vendor's decision (the approval queue).
AWAITING_DECISION = (S.SUBMITTED, S.MORE_INFO)


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def is_editable(registration) -> bool:
    """The partner may still change it (a draft, or more information asked)."""
    return registration.status in EDITABLE


def is_awaiting_decision(registration) -> bool:
    """Submitted, or sent back with a question: the vendor's decision is open."""
    return registration.status in AWAITING_DECISION


def sla_is_running(registration) -> bool:
    """Submitted: the vendor's approval clock is running."""
    return registration.status == S.SUBMITTED


def is_protected(registration) -> bool:
    """Approved: the customer is protected for the partner (until won, lost or expired)."""
    return registration.status == S.APPROVED


def outcome_can_be_reported(registration) -> bool:
    """Approved: it can still be reported won or lost."""
    return is_protected(registration)


def extension_can_be_requested(registration) -> bool:
    """Approved, with no extension request waiting (the vendor's cap is checked
    by the service, which knows the settings)."""
    return is_protected(registration) and registration.extension_requested_at is None


def extension_is_open(registration) -> bool:
    """An extension request waits for the vendor's decision."""
    return is_protected(registration) and registration.extension_requested_at is not None


# --- leads -----------------------------------------------------------------------------

L = Lead.Status
# A lead may be offered (by hand or by routing) only from these statuses.
LEAD_OFFERABLE = (L.NEW, L.UNROUTED)
# Leads a vendor may still close.
LEAD_CLOSABLE = (L.NEW, L.OFFERED, L.ACCEPTED, L.UNROUTED)
# Activities can be logged on a lead once a partner has accepted it.
LEAD_WITH_ACTIVITY = (L.ACCEPTED, L.CONVERTED)


def lead_can_be_offered(lead) -> bool:
    return lead.status in LEAD_OFFERABLE


def lead_can_be_closed(lead) -> bool:
    return lead.status in LEAD_CLOSABLE


def lead_takes_activities(lead) -> bool:
    return lead.status in LEAD_WITH_ACTIVITY


def lead_can_be_converted(lead) -> bool:
    """Accepted and not yet registered: the partner may turn it into a registration."""
    return lead.status == L.ACCEPTED
