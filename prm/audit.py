"""Writing the audit trail; services call this inside their transaction."""

from typing import Any

from django.db import models

from .models import AuditEvent, User


def _event(actor, action, target, data) -> AuditEvent:
    return AuditEvent(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        data=data,
    )


def audit_record(
    *, actor: User | None, action: str, target: models.Model | None = None, **data: Any
) -> AuditEvent:
    event = _event(actor, action, target, data)
    event.save()
    return event


def audit_record_many(
    *, actor: User | None, action: str, entries: list[tuple[models.Model, dict[str, Any]]]
) -> None:
    """One event per ``(target, data)`` entry, written in one statement."""
    AuditEvent.objects.bulk_create(
        [_event(actor, action, target, data) for target, data in entries]
    )
