"""What the benches do as the tables' owner (the app role may not)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings


def connect():
    """A psycopg2 connection as the tables' owner (settings.DATABASE_OWNER)."""
    import psycopg2

    owner = settings.DATABASE_OWNER
    return psycopg2.connect(
        dbname=owner["NAME"],
        user=owner["USER"],
        password=owner["PASSWORD"] or None,
        host=owner["HOST"] or None,
        port=owner["PORT"] or None,
    )


def vacuum_analyse(tables: Iterable[str]) -> None:
    """VACUUM ANALYZE ``tables`` through the owner's connection: what autovacuum
    does within a minute or two of a bulk load, done now so that the plans
    measured are the settled ones."""
    import psycopg2

    try:
        conn = connect()
    except psycopg2.Error as error:
        print(f"  (no owner connection, tables not vacuumed: {error})")
        return
    conn.autocommit = True
    with conn.cursor() as cursor:
        for table in tables:
            cursor.execute(f'VACUUM (ANALYZE) "{table}"')
    conn.close()
