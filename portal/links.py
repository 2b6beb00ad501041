"""The pages e-mails link to, registered with the core at start-up
(``prm.links``): services name a link, the web layer knows its URL."""

from django.urls import reverse

from prm.links import link_register


def _in_tenant(pattern: str):
    def build(*, tenant, **params) -> str:
        return reverse(pattern, kwargs={"tenant_slug": tenant.slug, **params})

    return build


def register_links() -> None:
    link_register("invitation_accept", lambda *, token: reverse("invitation_accept", args=[token]))
    link_register("program_home", _in_tenant("tenant_root"))
    link_register("partner_agreement", _in_tenant("portal:agreement"))
    link_register("partner_announcement", _in_tenant("portal:announcement"))
    link_register("partner_lead", _in_tenant("portal:lead_detail"))
    link_register("partner_points", _in_tenant("portal:my_points"))
    link_register("portal_mdf", _in_tenant("portal:mdf"))
    link_register("partner_registration", _in_tenant("portal:registration"))
    link_register("partner_registrations", _in_tenant("portal:registrations"))
    link_register("partner_leads", _in_tenant("portal:leads_inbox"))
    link_register("console_registration", _in_tenant("console:registration"))
    link_register("console_agreement", _in_tenant("console:agreement_detail"))
    link_register("console_application", _in_tenant("console:application_detail"))
    link_register("partner_onboarding", _in_tenant("portal:onboarding"))
    link_register("console_payout_run", _in_tenant("console:payout_run"))
    link_register("partner_statements", _in_tenant("portal:my_statements"))
    link_register("partner_mdf_request", _in_tenant("portal:mdf_request"))
    link_register("partner_redemption", _in_tenant("portal:my_redemption"))
    link_register(
        "notification_settings",
        lambda *, tenant, vendor: reverse(
            "console:notification_settings" if vendor else "portal:notification_settings",
            kwargs={"tenant_slug": tenant.slug},
        ),
    )
