from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrmConfig(AppConfig):
    name = "prm"
    verbose_name = _("PRM core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import checks, rls, tasks  # noqa: F401  (registers checks and tasks)

        post_migrate.connect(rls.apply_after_migrate, dispatch_uid="prm.rls")
