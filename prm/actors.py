"""Who acts: a person through their membership, or the system itself.

Every business action takes ``by``.  For a person it is their membership in
the current tenant (the role decides what they may do, ``prm.policies``);
scheduled jobs and other work nobody asked for in person pass ``SYSTEM``,
which only the actions that allow it accept.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Membership, User


@dataclass(frozen=True)
class SystemActor:
    """The system acting on its own (a scheduled job, a follow-up of another action)."""

    job: str = "system"


SYSTEM = SystemActor()

Actor = Membership | SystemActor


def actor_user(by: Membership | SystemActor | None) -> User | None:
    """The person to record as having acted (None for the system)."""
    return by.user if isinstance(by, Membership) else None
