from django.urls import include, path

from prm.views import tenant_root

from . import console_views, partner_views

console_patterns = [
    path("", console_views.dashboard, name="dashboard"),
    path("partners/", console_views.partners, name="partners"),
    path("partners/<int:partner_id>/", console_views.partner_detail, name="partner_detail"),
    path("team/", console_views.team, name="team"),
    path(
        "team/invitations/<int:invitation_id>/revoke/",
        console_views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "team/invitations/<int:invitation_id>/resend/",
        console_views.invitation_resend,
        name="invitation_resend",
    ),
    path("settings/", console_views.settings_view, name="settings"),
]

portal_patterns = [
    path("", partner_views.dashboard, name="dashboard"),
    path("team/", partner_views.team, name="team"),
    path("team/<int:member_id>/", partner_views.team_member, name="team_member"),
]

urlpatterns = [
    path("", tenant_root, name="tenant_root"),
    path("console/", include((console_patterns, "console"))),
    path("portal/", include((portal_patterns, "portal"))),
]
