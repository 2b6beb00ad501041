from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "deals"
    verbose_name = _("Deals")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import metrics, tasks  # noqa: F401  (registers metrics and tasks)
        from .events import register_events
        from .exports import register_exports
        from .notifications import register_notifications
        from .trigram_rls import mark_after_migrate

        register_exports()
        register_events()
        register_notifications()
        post_migrate.connect(mark_after_migrate, dispatch_uid="deals.trigram_rls")
