from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    name = "incentives"

    def ready(self) -> None:
        from prm.events import event_listen

        from . import receivers, tasks  # noqa: F401  (registers the task names)
        from .notifications import register_notifications

        event_listen(receivers.points_award)
        register_notifications()
