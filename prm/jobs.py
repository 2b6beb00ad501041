"""The one shape of a background job.

Celery delivers at least once and a worker reuses its process and connection,
so a tenant task takes ``tenant_id`` first, enters that tenant itself (one
transaction), refuses to start if a tenant is somehow still current, and
retries with back-off on transient database/broker errors.

Every task carries an explicit, stable name (``<app>.<job>``): beat, routes
and queued messages refer to it, so moving a file must not rename a task.

A beat job that covers all tenants only fans out: it enqueues one task per
active tenant (``fan_out``), so each tenant runs, fails and retries on its
own and one tenant's failure never stops the others.
"""

from __future__ import annotations

import functools

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from .enqueue import enqueue, outbox_claim
from .models import Tenant
from .tenancy import current_tenant_id, tenant_context

TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError)


def _defaults(options: dict) -> dict:
    options.setdefault("acks_late", True)
    options.setdefault("autoretry_for", TRANSIENT_ERRORS)
    options.setdefault("retry_backoff", True)
    # A retry waits less than the broker's visibility timeout, or the message
    # would also come back on its own and run twice.
    options.setdefault("retry_backoff_max", max(1, settings.VISIBILITY_TIMEOUT // 2))
    options.setdefault("max_retries", 8)
    return options


def tenant_task(*, name: str, **options):
    """A task run inside one tenant: called as ``task.delay(tenant_id, *args)``.

    Sent from the outbox it also gets ``outbox_id``: the task claims that
    message in its own transaction first and does nothing when it was
    delivered already (a task that fails rolls the claim back)."""

    def decorate(func):
        @functools.wraps(func)
        def run(tenant_id: int, *args, outbox_id: int | None = None, **kwargs):
            if current_tenant_id() is not None:
                raise RuntimeError("A tenant was still current when a task started.")
            with tenant_context(int(tenant_id)):
                if outbox_id is not None and not outbox_claim(outbox_id):
                    return None
                return func(*args, **kwargs)

        return shared_task(name=name, **_defaults(options))(run)

    return decorate


def system_task(*, name: str, **options):
    """A task outside any tenant: a beat job that fans out, or plain e-mail."""

    def decorate(func):
        return shared_task(name=name, **_defaults(options))(func)

    return decorate


def fan_out(task_name: str, *args) -> int:
    """Enqueue ``task_name`` once per active tenant, ``tenant_id`` first.

    Returns the number of tasks enqueued.  Each runs in its own worker slot and
    transaction, so a failing tenant is retried or reported on its own while
    the others go ahead."""
    tenant_ids = list(
        Tenant.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
    )
    for tenant_id in tenant_ids:
        enqueue(task_name, tenant_id, *args)
    return len(tenant_ids)
