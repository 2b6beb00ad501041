"""Enqueueing tasks by their stable name, and the outbox behind it.

Services never import task modules (tasks import services, so the other way
round would be a circle); they name the task here.  A task is looked up in
the Celery registry, which every app fills at start-up, so an unknown name
fails loudly instead of queueing a message nobody consumes.

Side effects of an action go through the outbox (``enqueue_after_commit``):
a row written in the action's own transaction, so the effect exists exactly
when the action does.  After the commit the task is published; when the
broker is down the action still succeeds, the row waits, and the sweep
(``outbox_pending``, run every minute) publishes it once the broker is back.
The task claims its row before it acts (``prm.jobs``), so a message published
twice is delivered once.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from .models import OutboxMessage
from .tenancy import require_tenant_id, tenant_context

logger = logging.getLogger(__name__)
# Delivered messages are kept this long (to answer "did it go out?"), then deleted.
KEEP_DELIVERED = timedelta(days=7)
SWEEP_BATCH = 500


def enqueue(task_name: str, *args, **kwargs) -> None:
    """Send the task now (honouring routes, and eager mode in tests)."""
    current_app.tasks[task_name].apply_async(args=args, kwargs=kwargs or None)


def enqueue_after_commit(task_name: str, *args) -> None:
    """Run the current tenant's task ``task_name(*args)`` once the surrounding
    transaction commits, however long the broker is away; nothing happens when
    the transaction rolls back."""
    current_app.tasks[task_name]  # an unknown task fails here, in the action
    message = OutboxMessage.objects.create(task_name=task_name, args=list(args))
    tenant_id, message_id = require_tenant_id(), message.pk
    transaction.on_commit(lambda: publish(tenant_id, message_id, task_name, list(args)))


def enqueue_many_after_commit(task_name: str, arg_lists: list[list]) -> None:
    """``enqueue_after_commit`` for many calls of one task: the outbox rows are
    written in one statement and published together after the commit."""
    current_app.tasks[task_name]
    if not arg_lists:
        return
    messages = OutboxMessage.objects.bulk_create(
        [OutboxMessage(task_name=task_name, args=list(args)) for args in arg_lists]
    )
    tenant_id = require_tenant_id()
    rows = [(message.pk, message.args) for message in messages]
    transaction.on_commit(lambda: publish_many(tenant_id, task_name, rows))


def email_after_commit(*, subject: str, body: str, recipients: list[str]) -> None:
    """Queue a plain e-mail once the surrounding transaction commits."""
    if recipients:
        enqueue_after_commit("prm.email_send", str(subject), body, list(recipients))


def emails_after_commit(emails: list[tuple[str, str, list[str]]]) -> None:
    """Queue many ``(subject, body, recipients)`` e-mails at once."""
    enqueue_many_after_commit(
        "prm.email_send",
        [[str(subject), body, list(to)] for subject, body, to in emails if to],
    )


def publish(tenant_id: int, message_id: int, task_name: str, args: list) -> bool:
    """Hand one outbox message to the broker; False (and the row waits for the
    sweep) when the broker cannot be reached."""
    try:
        current_app.tasks[task_name].apply_async(
            args=(tenant_id, *args), kwargs={"outbox_id": message_id}, retry=False
        )
    except (BrokerError, OSError):
        logger.warning(
            "Broker unreachable: %s (outbox %s) waits for the sweep", task_name, message_id
        )
        return False
    with tenant_context(tenant_id):
        OutboxMessage.objects.filter(pk=message_id, published_at__isnull=True).update(
            published_at=timezone.now()
        )
    return True


def publish_many(tenant_id: int, task_name: str, rows: list[tuple[int, list]]) -> int:
    """Hand many messages of one task to the broker and mark them published in
    one statement; stops at the first broker failure (the rest wait for the
    sweep).  Returns how many were published."""
    task, published = current_app.tasks[task_name], []
    for message_id, args in rows:
        try:
            task.apply_async(args=(tenant_id, *args), kwargs={"outbox_id": message_id}, retry=False)
        except (BrokerError, OSError):
            logger.warning(
                "Broker unreachable: %d %s messages wait for the sweep",
                len(rows) - len(published),
                task_name,
            )
            break
        published.append(message_id)
    if published:
        with tenant_context(tenant_id):
            OutboxMessage.objects.filter(pk__in=published, published_at__isnull=True).update(
                published_at=timezone.now()
            )
    return len(published)


def outbox_pending(*, now=None) -> list[tuple[int, int, str, list]]:
    """The current tenant's messages to publish (again): never published, or
    published so long ago that their task should have run by now.  Also forgets
    messages delivered long ago.  Returns ``(tenant, id, task, args)`` rows for
    ``publish``, which the caller calls outside the tenant's transaction."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.VISIBILITY_TIMEOUT)
    OutboxMessage.objects.filter(delivered_at__lt=now - KEEP_DELIVERED).delete()
    pending = OutboxMessage.objects.filter(delivered_at__isnull=True).filter(
        Q(published_at__isnull=True) | Q(published_at__lt=stale)
    )
    return [
        (m.tenant_id, m.pk, m.task_name, m.args)
        for m in pending.order_by("created_at", "pk")[:SWEEP_BATCH]
    ]


def outbox_claim(message_id: int) -> bool:
    """Inside the task's transaction: mark the message delivered, or say it was
    (a second copy then does nothing; a task that fails rolls the claim back)."""
    return bool(
        OutboxMessage.objects.filter(pk=message_id, delivered_at__isnull=True).update(
            delivered_at=timezone.now()
        )
    )
