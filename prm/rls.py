"""PostgreSQL row-level security for every tenant-owned table.

Applied after every ``migrate`` (by the owner role), idempotently, so a new
tenant-owned model is covered without anyone remembering to; a test reads the
catalog and fails if any table with a ``tenant_id`` lacks it.

Policies compare through ``NULLIF(..., '')`` because after a transaction ends
``current_setting('app.tenant_id', true)`` is ``''``, not NULL.  No setting,
no rows.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import connections
from psycopg2 import sql

from .models_base import TenantOwned

TENANT_POLICY = "tenant_isolation"
SELF_READ_POLICY = "membership_self_read"
CURRENT_TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::bigint"
CURRENT_USER = "NULLIF(current_setting('app.user_id', true), '')::bigint"

# Extra read-only policies: a user may list their own memberships in every
# tenant (the tenant switcher) without entering each tenant.
SELF_READ_TABLES = {"prm_membership": "user_id"}


def tenant_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, TenantOwned) and not model._meta.proxy
    )


def _ensure_app_role(cursor, database: str) -> None:
    user, password = settings.APP_DB_USER, settings.APP_DB_PASSWORD
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [user])
    role = sql.Identifier(user)
    if cursor.fetchone() is None:
        cursor.execute(
            sql.SQL(
                "CREATE ROLE {} LOGIN PASSWORD {} NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
            ).format(role, sql.Literal(password))
        )
    else:
        # The configured password is the truth (it may have been rotated).
        cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(role, sql.Literal(password)))
    cursor.execute(
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), role)
    )
    cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role))
    cursor.execute(
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(
            role
        )
    )
    cursor.execute(
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(role)
    )


def _ensure_policies(cursor, table: str) -> None:
    name = sql.Identifier(table)
    cursor.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(name))
    cursor.execute(sql.SQL("ALTER TABLE {} FORCE ROW LEVEL SECURITY").format(name))
    cursor.execute(
        sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(sql.Identifier(TENANT_POLICY), name)
    )
    condition = sql.SQL(f"tenant_id = {CURRENT_TENANT}")
    cursor.execute(
        sql.SQL("CREATE POLICY {} ON {} USING ({}) WITH CHECK ({})").format(
            sql.Identifier(TENANT_POLICY), name, condition, condition
        )
    )
    if table in SELF_READ_TABLES:
        cursor.execute(
            sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(sql.Identifier(SELF_READ_POLICY), name)
        )
        column = sql.Identifier(SELF_READ_TABLES[table])
        cursor.execute(
            sql.SQL("CREATE POLICY {} ON {} FOR SELECT USING ({} = {})").format(
                sql.Identifier(SELF_READ_POLICY), name, column, sql.SQL(CURRENT_USER)
            )
        )


def apply(using: str = "default") -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        _ensure_app_role(cursor, connection.settings_dict["NAME"])
        for table in tenant_tables():
            _ensure_policies(cursor, table)


def apply_after_migrate(sender, using: str = "default", **kwargs) -> None:
    # All apps' migrations have run before the first post_migrate; once is enough.
    if sender.label != "prm":
        return
    # Flushing a test database re-sends post_migrate on the app role, which may
    # not (and need not) change the schema.
    if connections[using].settings_dict["USER"] == settings.APP_DB_USER:
        return
    apply(using)
