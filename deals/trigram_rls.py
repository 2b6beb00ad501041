"""Letting row-level security use the trigram index of customer names.

Under row-level security PostgreSQL evaluates a query's conditions after the
tenant policy unless their functions are *leakproof* (they reveal nothing of a
row but their result).  pg_trgm does not mark ``similarity_op`` (the ``%``
operator) so, though it returns only a boolean and raises no error that depends
on its arguments; so the app role's conflict check scanned every active
registration instead of using the GIN index (about 2.5 times slower at 200,000
registrations).  After ``migrate`` the owner marks it, when it is a superuser
(only a superuser may); otherwise ``migrate`` prints the statement for a
database administrator to run, and the check stays correct but slower.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connections

FUNCTION = "similarity_op(text, text)"


def trigram_operator_state(using: str = "default") -> str:
    """'leakproof', 'not leakproof', or 'missing' (pg_trgm not installed)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT p.proleakproof FROM pg_proc p WHERE p.oid = to_regprocedure(%s)", [FUNCTION]
        )
        row = cursor.fetchone()
    if row is None:
        return "missing"
    return "leakproof" if row[0] else "not leakproof"


def mark_after_migrate(sender, using: str = "default", **kwargs) -> None:
    if sender.label != "deals":
        return
    connection = connections[using]
    if connection.settings_dict["USER"] == settings.APP_DB_USER:
        return  # a test database flushed as the app role
    if trigram_operator_state(using) != "not leakproof":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute(f"ALTER FUNCTION {FUNCTION} LEAKPROOF")
            return
    print(
        "Conflict checks will not use the trigram index under row-level security: "
        f"ask a superuser to run  ALTER FUNCTION {FUNCTION} LEAKPROOF;"
    )
