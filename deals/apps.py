from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "deals"
    verbose_name = _("Deals")

    def ready(self) -> None:
        from . import metrics, tasks  # noqa: F401  (registers metrics and tasks)
        from .exports import register_exports

        register_exports()
