"""Writing the audit trail; services call this inside their transaction."""

from typing import Any

from django.db import models

from .models import AuditEvent, User


def audit_record(
    *, actor: User | None, action: str, target: models.Model | None = None, **data: Any
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        data=data,
    )
