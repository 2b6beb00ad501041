"""Row-level security, read from the database itself and exercised with raw SQL
as the app role, so it holds even where the ORM scoping is bypassed."""

import pytest
from django.conf import settings
from django.db import connection, transaction
from psycopg2 import sql

from prm.rls import tenant_tables
from prm.tenancy import tenant_context

# Tables that are global by design: they carry no tenant.  Anything else must.
GLOBAL_TABLES = {
    "prm_tenant",
    "prm_user",
    "prm_user_groups",
    "prm_user_user_permissions",
    "account_emailaddress",
    "account_emailconfirmation",
    "mfa_authenticator",
    "django_migrations",
    "django_content_type",
    "django_session",
    "django_admin_log",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
}


def _public_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
        )
        return {row[0] for row in cursor.fetchall()}


def _tables_with_tenant_column() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name = 'tenant_id'"
        )
        return {row[0] for row in cursor.fetchall()}


def _count(table: str, where: str = "") -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("SELECT count(*) FROM {} " + where).format(sql.Identifier(table)))
        return cursor.fetchone()[0]


def test_every_table_is_either_global_or_tenant_owned(db):
    tables = _public_tables()
    unexplained = tables - GLOBAL_TABLES - _tables_with_tenant_column()
    assert not unexplained, (
        f"tables with neither tenant_id nor a place in GLOBAL_TABLES: {unexplained}"
    )


def test_every_tenant_table_has_forced_row_level_security_and_a_policy(db):
    tables = _tables_with_tenant_column()
    assert set(tenant_tables()) == tables
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
            "  EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = 'public' "
            "          AND p.tablename = c.relname AND p.policyname = 'tenant_isolation' "
            "          AND p.qual LIKE '%%app.tenant_id%%' "
            "          AND p.with_check LIKE '%%app.tenant_id%%') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relname = ANY(%s)",
            [sorted(tables)],
        )
        rows = cursor.fetchall()
    assert len(rows) == len(tables)
    missing = [
        name for name, enabled, forced, policy in rows if not (enabled and forced and policy)
    ]
    assert not missing, f"tenant tables without forced RLS and policy: {missing}"


def test_the_app_role_cannot_bypass_row_level_security(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        user, superuser, bypass = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_tables "
            "WHERE schemaname = 'public' AND tableowner = current_user"
        )
        owned = cursor.fetchone()[0]
    assert user == settings.APP_DB_USER
    assert (superuser, bypass, owned) == (False, False, 0)


def test_without_a_tenant_every_tenant_table_reads_empty(world):
    for table in tenant_tables():
        assert _count(table) == 0, table


def test_with_tenant_a_no_table_shows_b(world):
    with tenant_context(world.a.pk):
        for table in tenant_tables():
            assert _count(table) > 0, table
            assert _count(table, f"WHERE tenant_id <> {int(world.a.pk)}") == 0, table


def test_raw_insert_into_another_tenant_is_refused(world):
    with tenant_context(world.a.pk), pytest.raises(Exception, match="row-level security"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO partners_partner (tenant_id, name, partner_type, status, country, "
                "website, created_at, updated_at) VALUES (%s, 'Smuggled', 'oem', 'active', '', '', "
                "now(), now())",
                [world.b.pk],
            )


def test_leaving_a_nested_context_restores_the_setting(world):
    with tenant_context(world.a.pk):
        with tenant_context(world.b.pk):
            assert _count("partners_partner", f"WHERE tenant_id = {int(world.b.pk)}") == 1
        assert _count("partners_partner", f"WHERE tenant_id = {int(world.b.pk)}") == 0
        assert _count("partners_partner", f"WHERE tenant_id = {int(world.a.pk)}") == 2
    assert _count("partners_partner") == 0


def test_the_setting_does_not_survive_into_the_next_transaction(tx_world):
    """A reused connection: what one request set is gone for the next."""
    with tenant_context(tx_world.a.pk):
        assert _count("prm_membership") > 0
    assert connection.connection is not None  # same physical connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.tenant_id', true)")
        assert cursor.fetchone()[0] in ("", None)
    assert _count("prm_membership") == 0
