from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from prm.selectors import membership_relations_register
        from prm.services import invitation_accepted

        from . import metrics, receivers, tasks  # noqa: F401  (registers metrics and tasks)
        from .events import register_events
        from .exports import register_exports
        from .notifications import register_notifications

        register_exports()
        register_events()
        register_notifications()

        invitation_accepted.connect(
            receivers.bind_membership_to_partner, dispatch_uid="partners.bind_membership"
        )
        # Every request's membership comes with the partner the person works for.
        membership_relations_register("partner_link__partner")
