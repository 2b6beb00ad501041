"""The one way to write a tenant task.

Celery delivers at least once and a worker reuses its process and connection,
so a tenant task takes ``tenant_id`` first, enters that tenant itself (one
transaction), refuses to start if a tenant is somehow still current, and
retries with back-off on transient database/broker errors.
"""

import functools

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .tenancy import current_tenant_id, tenant_context

TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError)


def tenant_task(**options):
    def decorate(func):
        @functools.wraps(func)
        def run(tenant_id: int, *args, **kwargs):
            if current_tenant_id() is not None:
                raise RuntimeError("A tenant was still current when a task started.")
            with tenant_context(int(tenant_id)):
                return func(*args, **kwargs)

        options.setdefault("acks_late", True)
        options.setdefault("autoretry_for", TRANSIENT_ERRORS)
        options.setdefault("retry_backoff", True)
        options.setdefault("retry_backoff_max", 600)
        options.setdefault("max_retries", 8)
        return shared_task(**options)(run)

    return decorate
