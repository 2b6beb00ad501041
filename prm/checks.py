import os

from django.conf import settings
from django.core.checks import Error, register


@register("prm", deploy=True)
def app_role_is_not_owner(app_configs, **kwargs):
    """The app must not connect as the tables' owner: an owner can switch RLS off."""
    if os.environ.get("PRM_DB_ROLE", "app") == "owner":
        return []
    if settings.DATABASES["default"]["USER"] == settings.DATABASE_OWNER["USER"]:
        return [
            Error(
                "The app connects to PostgreSQL as the owner role.",
                hint="Set APP_DATABASE_URL (or APP_DB_USER) to a role that owns no tables.",
                id="prm.E001",
            )
        ]
    return []
