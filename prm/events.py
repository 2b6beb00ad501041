"""Things partner people did that the program may reward, as named events.

The apps that own a moment (``deals``: a deal registered, approved, won, a
lead accepted in time; ``partners``: onboarding finished, profile completed;
later ``training``: a course or certification) register its *kind* at
start-up and record the event at the point it happens, inside the action's
own transaction.  Apps above them listen (``incentives`` awards points), so
the owners never import their listeners and a new app adds events without
changing the ones that reward them.

A listener runs in the recording transaction: what it writes commits or rolls
back with the action.  It receives the events of one kind as a list, so an
import that wins many deals records them in one call.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone


@dataclass(frozen=True)
class EventKind:
    key: str
    label: str
    # The event carries an amount (a won deal's value) a rule may count per unit.
    per_amount: bool = False
    # The event is the organisation's (onboarding finished): it is rewarded
    # once per source, to the person the owner names, not once per person.
    organisation: bool = False


@dataclass(frozen=True)
class Event:
    key: str
    membership_id: int
    partner_id: int
    source_id: int
    happened_on: datetime.date
    amount: Decimal | None = None


Listener = Callable[[list[Event]], None]

_kinds: dict[str, EventKind] = {}
_listeners: list[Listener] = []


def event_kind_register(kind: EventKind) -> None:
    _kinds[kind.key] = kind


def event_kinds() -> dict[str, EventKind]:
    return dict(_kinds)


def event_kind(key: str) -> EventKind:
    try:
        return _kinds[key]
    except KeyError:
        raise LookupError(f"No event kind {key!r} is registered.") from None


def event_listen(callback: Listener) -> None:
    """``callback(events)`` is called with every batch recorded (once per callback)."""
    if callback not in _listeners:
        _listeners.append(callback)


def event_record(
    key: str,
    *,
    membership_id: int | None,
    partner_id: int | None,
    source_id: int,
    amount=None,
    happened_on: datetime.date | None = None,
) -> None:
    """Record that the person did ``key`` (on ``source_id``, e.g. a registration's id)."""
    event_record_many(
        key,
        [
            {
                "membership_id": membership_id,
                "partner_id": partner_id,
                "source_id": source_id,
                "amount": amount,
                "happened_on": happened_on,
            }
        ],
    )


def event_record_many(key: str, rows: Iterable[dict]) -> None:
    """Record many events of one kind at once (dicts with the arguments of
    ``event_record``).  Rows without a person or a partner are left out."""
    kind = event_kind(key)
    today = timezone.localdate()
    events = [
        Event(
            key=kind.key,
            membership_id=int(row["membership_id"]),
            partner_id=int(row["partner_id"]),
            source_id=int(row["source_id"]),
            happened_on=row.get("happened_on") or today,
            amount=Decimal(str(row["amount"]))
            if kind.per_amount and row.get("amount") is not None
            else None,
        )
        for row in rows
        if row.get("membership_id") and row.get("partner_id")
    ]
    if not events:
        return
    for listener in list(_listeners):
        listener(events)
