"""Two PostgreSQL roles: the owner runs migrations, the app role serves requests.

The app role is neither superuser, nor BYPASSRLS, nor owner of the tables, so
row-level security always applies to it (see prm/rls.py).  ``PRM_DB_ROLE=owner``
selects the owner connection; manage.py sets it for ``migrate``.
"""

from urllib.parse import quote

import dj_database_url

from prm import embedded

from .env import env


def _owner_url() -> str:
    return env("DATABASE_URL") or embedded.default_database_url()


def _app_url(owner_url: str, app_user: str, app_password: str) -> str:
    explicit = env("APP_DATABASE_URL")
    if explicit:
        return explicit
    parsed = dj_database_url.parse(owner_url)
    host = quote(parsed["HOST"] or "", safe="")
    port = f":{parsed['PORT']}" if parsed["PORT"] else ""
    return f"postgres://{quote(app_user)}:{quote(app_password)}@{host}{port}/{parsed['NAME']}"


def databases(*, app_user: str, app_password: str, conn_max_age: int) -> tuple[dict, dict]:
    """Return (DATABASES, DATABASE_OWNER) for the selected role."""
    owner_url = _owner_url()
    owner = dj_database_url.parse(owner_url, conn_max_age=conn_max_age)
    app = dj_database_url.parse(
        _app_url(owner_url, app_user, app_password), conn_max_age=conn_max_age
    )
    name_override = env("PRM_DATABASE_NAME")
    for config in (owner, app):
        config["CONN_HEALTH_CHECKS"] = True
        if name_override:
            config["NAME"] = name_override
    default = owner if env("PRM_DB_ROLE", "app") == "owner" else app
    return {"default": default}, owner
