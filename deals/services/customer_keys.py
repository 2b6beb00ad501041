"""Re-keying stored customers when the normaliser changes (a new script, a new
legal form): registrations, direct accounts and protections get the key
``deals.normalise.customer_key`` gives today.

Nothing is deleted.  Where a new key would make two rows one — two direct
accounts without a domain, or two protections of the same customer and product
— the later row keeps its old key and is reported, for the vendor to decide
(the protection stands; the duplicate account can be removed by hand).

Only the columns named here are read or written, with plain SQL, so a data
migration can call this whatever the models look like later.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from prm.actions import system_action
from prm.models import Tenant
from prm.tenancy import require_tenant_id, tenant_context

from ..normalise import customer_key


@dataclass
class KeyCollision:
    kind: str  # "protection" or "direct account"
    row_id: int
    name: str
    kept_key: str
    new_key: str
    taken_by: int  # the row that has the new key
    product_id: int | None = None


@dataclass
class KeyRefresh:
    registrations: int = 0
    accounts: int = 0
    protections: int = 0
    collisions: list[KeyCollision] = field(default_factory=list)


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _set_keys(table: str, column: str, changes: dict[int, str]) -> int:
    """Give rows their new keys.  Unique keys may move in a chain (one row takes
    the key another leaves), so the rows first get a placeholder no key can be
    (keys are letters, digits and spaces), then their new keys."""
    if not changes:
        return 0
    ids = list(changes)
    sql = (
        f"UPDATE {table} AS t SET {column} = v.key "  # noqa: S608 (names are ours)
        "FROM unnest(%s::bigint[], %s::text[]) AS v(id, key) WHERE t.id = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ids, [f"#{pk}" for pk in ids]])
        cursor.execute(sql, [ids, list(changes.values())])
        return cursor.rowcount


@system_action
def customer_keys_refresh() -> KeyRefresh:
    """Re-key the current tenant's customers; what changed and what collided."""
    tenant = require_tenant_id()
    report = KeyRefresh()
    registrations = _rows(
        "SELECT id, customer_name, customer_key, customer_domain "
        "FROM deals_dealregistration WHERE tenant_id = %s",
        [tenant],
    )
    new_key = {pk: customer_key(name) for pk, name, _old, _domain in registrations}
    report.registrations = _set_keys(
        "deals_dealregistration",
        "customer_key",
        {pk: new_key[pk] for pk, _n, old, _d in registrations if new_key[pk] != old},
    )
    _refresh_protections(tenant, registrations, new_key, report)
    _refresh_accounts(tenant, report)
    return report


def _refresh_protections(tenant, registrations, new_key, report: KeyRefresh) -> None:
    names = {pk: name for pk, name, _old, _domain in registrations}
    # A registration's name row carries its old key (its domain row the domain).
    old_of = {pk: (old, domain) for pk, _name, old, domain in registrations}
    protections = _rows(
        "SELECT id, registration_id, customer_key, product_id "
        "FROM deals_dealprotection WHERE tenant_id = %s ORDER BY id",
        [tenant],
    )
    changes: dict[int, str] = {}
    moving = []
    for pk, registration_id, key, product_id in protections:
        old, domain = old_of[registration_id]
        target = new_key[registration_id]
        if key == old and (not domain or key != domain) and target != key:
            moving.append((pk, registration_id, key, product_id, target))
    claimed = {
        (key, product_id): pk
        for pk, _registration, key, product_id in protections
        if pk not in {m[0] for m in moving}
    }
    for pk, registration_id, key, product_id, target in moving:
        holder = claimed.get((target, product_id))
        if holder is not None:
            claimed[(key, product_id)] = pk
            report.collisions.append(
                KeyCollision(
                    kind="protection",
                    row_id=pk,
                    name=names[registration_id],
                    kept_key=key,
                    new_key=target,
                    taken_by=holder,
                    product_id=product_id,
                )
            )
            continue
        claimed[(target, product_id)] = pk
        changes[pk] = target
    report.protections = _set_keys("deals_dealprotection", "customer_key", changes)


def _refresh_accounts(tenant, report: KeyRefresh) -> None:
    accounts = _rows(
        "SELECT id, name, name_key, domain FROM deals_directaccount "
        "WHERE tenant_id = %s ORDER BY id",
        [tenant],
    )
    target = {pk: customer_key(name) for pk, name, _key, _domain in accounts}
    # Accounts without a domain are unique by key: the first keeps a taken key.
    moving = {pk for pk, _name, key, _domain in accounts if target[pk] != key}
    holders: dict[str, int] = {}
    for pk, _name, key, domain in accounts:
        if not domain and pk not in moving:
            holders[key] = pk
    changes: dict[int, str] = {}
    for pk, name, key, domain in accounts:
        if pk not in moving:
            continue
        if domain:
            changes[pk] = target[pk]
            continue
        holder = holders.get(target[pk])
        if holder is not None:
            report.collisions.append(
                KeyCollision(
                    kind="direct account",
                    row_id=pk,
                    name=name,
                    kept_key=key,
                    new_key=target[pk],
                    taken_by=holder,
                )
            )
            holders[key] = pk
            continue
        holders[target[pk]] = pk
        changes[pk] = target[pk]
    report.accounts = _set_keys("deals_directaccount", "name_key", changes)


@system_action
def customer_keys_refresh_every_tenant(*, say=print) -> list[KeyCollision]:
    """``customer_keys_refresh`` for every tenant, one transaction each; says
    what changed and every collision, and returns the collisions."""
    collisions: list[KeyCollision] = []
    tenants = Tenant.objects.order_by("pk").values_list("pk", "slug")
    for tenant_id, slug in tenants:
        with tenant_context(tenant_id):
            report = customer_keys_refresh()
        if report.registrations or report.accounts or report.protections:
            say(
                f"{slug}: new keys for {report.registrations} registrations, "
                f"{report.accounts} direct accounts, {report.protections} protections"
            )
        for c in report.collisions:
            product = f", product {c.product_id}" if c.product_id else ""
            say(
                f"{slug}: {c.kind} {c.row_id} ({c.name!r}{product}) keeps its key "
                f"{c.kept_key!r}: its new key {c.new_key!r} is taken by {c.kind} {c.taken_by}"
            )
        collisions += report.collisions
    return collisions
