"""Enqueueing tasks by their stable name.

Services never import task modules (tasks import services, so the other way
round would be a circle); they name the task here.  A task is looked up in
the Celery registry, which every app fills at start-up, so an unknown name
fails loudly instead of queueing a message nobody consumes.
"""

from __future__ import annotations

from celery import current_app
from django.db import transaction


def enqueue(task_name: str, *args, **kwargs) -> None:
    """Send the task now (honouring routes, and eager mode in tests)."""
    current_app.tasks[task_name].apply_async(args=args, kwargs=kwargs or None)


def enqueue_after_commit(task_name: str, *args, **kwargs) -> None:
    """Send the task once the surrounding transaction commits; nothing is sent
    when it rolls back, so a task never sees rows that do not exist."""
    transaction.on_commit(lambda: enqueue(task_name, *args, **kwargs))


def email_after_commit(*, subject: str, body: str, recipients: list[str]) -> None:
    """Queue a plain e-mail once the surrounding transaction commits."""
    if recipients:
        enqueue_after_commit("prm.email_send", str(subject), body, list(recipients))
