"""Create forms that work once: a double submit creates one row.

A create form carries a one-time key (``new_key()``, a hidden field).  The
service records the key with what it created, in the same transaction
(``record_once``); a second submit with the same key is refused with
``AlreadySubmitted``, naming what the first one created, so the page can send
the person there.  Two submits at the same moment are decided by the unique
constraint on the key: the later one waits for the earlier and is refused.
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, models, transaction

from .models import SubmittedForm


class AlreadySubmitted(Exception):
    """This form was carried out before; ``target_id`` is what it created."""

    def __init__(self, target_type: str, target_id: int):
        super().__init__(target_type, target_id)
        self.target_type, self.target_id = target_type, target_id


def new_key() -> str:
    return str(uuid.uuid4())


def _parsed(key) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(key))
    except (TypeError, ValueError):
        return None


def check_not_submitted(key) -> None:
    """Before doing the work: refuse a key that was used already."""
    parsed = _parsed(key)
    if parsed is None:
        return
    earlier = SubmittedForm.objects.filter(key=parsed).first()
    if earlier is not None:
        raise AlreadySubmitted(earlier.target_type, earlier.target_id)


def record_once(key, target: models.Model) -> None:
    """Inside the action's transaction, after creating ``target``: record the
    key.  Raises AlreadySubmitted when another submit with the same key got
    there first (the caller's transaction then rolls back)."""
    parsed = _parsed(key)
    if parsed is None:
        return
    try:
        with transaction.atomic():
            SubmittedForm.objects.create(
                key=parsed, target_type=target._meta.label_lower, target_id=target.pk
            )
    except IntegrityError as error:
        first = SubmittedForm.objects.filter(key=parsed).first()
        raise AlreadySubmitted(target._meta.label_lower, first.target_id if first else 0) from error
