"""The current tenant, and entering it.

Invariant: tenant-owned rows are reachable only inside ``tenant_context``.
It sets a context variable that the ORM managers read (and refuse to work
without), and, in the same database transaction, the transaction-local setting
``app.tenant_id`` that PostgreSQL row-level security reads.  Because the
setting is transaction-local (``set_config(..., true)``) it ends with the
transaction, so a pooled or reused connection never carries one tenant's
setting into the next request or task; on leaving a nested context the
previous value is put back explicitly.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction


class NoTenantError(RuntimeError):
    """A tenant-owned table was queried or written outside a tenant context."""


class TenantMismatchError(RuntimeError):
    """A row of one tenant was about to be saved while another tenant is current."""


@dataclass(frozen=True)
class Scope:
    tenant_id: int | None
    user_id: int | None


_scope: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("prm_scope", default=None)


def current_tenant_id() -> int | None:
    scope = _scope.get()
    return scope.tenant_id if scope else None


def current_scope() -> Scope | None:
    return _scope.get()


def require_tenant_id() -> int:
    tenant_id = current_tenant_id()
    if tenant_id is None:
        raise NoTenantError(
            "No tenant is set. Enter one with prm.tenancy.tenant_context(tenant_id)."
        )
    return tenant_id


def _db_settings(tenant_id: int | None, user_id: int | None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('app.tenant_id', %s, true), set_config('app.user_id', %s, true)",
            ["" if tenant_id is None else str(tenant_id), "" if user_id is None else str(user_id)],
        )


@contextmanager
def _scoped(tenant_id: int | None, user_id: int | None) -> Iterator[None]:
    previous = _scope.get()
    nested = connection.in_atomic_block
    token = _scope.set(Scope(tenant_id=tenant_id, user_id=user_id))
    try:
        with transaction.atomic():
            _db_settings(tenant_id, user_id)
            yield
            if nested:
                # A savepoint release keeps transaction-local settings, so put
                # the outer scope's values back (a rollback restores them itself).
                _db_settings(
                    previous.tenant_id if previous else None,
                    previous.user_id if previous else None,
                )
    finally:
        _scope.reset(token)


@contextmanager
def tenant_context(tenant_id: int, *, user_id: int | None = None) -> Iterator[None]:
    """Run the block as ``tenant_id`` in one transaction (optionally naming the acting user)."""
    if tenant_id is None:
        raise NoTenantError("tenant_context() needs a tenant id.")
    with _scoped(int(tenant_id), user_id):
        yield


@contextmanager
def user_context(user_id: int) -> Iterator[None]:
    """Run the block with no tenant but a known user, who may then read their own
    memberships in every tenant (the tenant switcher); nothing else tenant-owned."""
    with _scoped(None, int(user_id)):
        yield
