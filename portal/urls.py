from django.urls import include, path

from . import console_views, front_views, partner_views
from .areas.accounts import urls as accounts
from .areas.activities import urls as activities
from .areas.agreements import urls as agreements
from .areas.announcements import urls as announcements
from .areas.catalogue import urls as catalogue
from .areas.deal_rules import urls as deal_rules
from .areas.directory import urls as directory
from .areas.exports import urls as exports
from .areas.ideas import urls as ideas
from .areas.leads import urls as leads
from .areas.mdf import urls as mdf
from .areas.notifications import urls as notifications
from .areas.onboarding import urls as onboarding
from .areas.payouts import urls as payouts
from .areas.points import urls as points
from .areas.programs import urls as programs
from .areas.recruitment import urls as recruitment
from .areas.registrations import urls as registrations
from .areas.revenue import urls as revenue
from .areas.statements import urls as statements
from .areas.surveys import urls as surveys
from .areas.tiers import urls as tiers

AREAS = [
    directory,
    recruitment,
    agreements,
    onboarding,
    tiers,
    announcements,
    surveys,
    ideas,
    registrations,
    leads,
    activities,
    catalogue,
    deal_rules,
    accounts,
    revenue,
    programs,
    payouts,
    statements,
    mdf,
    points,
    exports,
    notifications,
]

console_patterns = [
    path("", console_views.dashboard, name="dashboard"),
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
for area in AREAS:
    console_patterns += area.console_patterns

portal_patterns = [
    path("", partner_views.dashboard, name="dashboard"),
    path("team/", partner_views.team, name="team"),
    path("team/<int:member_id>/", partner_views.team_member, name="team_member"),
    path(
        "team/<int:member_id>/change/", partner_views.team_member_action, name="team_member_action"
    ),
    path(
        "team/invitations/<int:invitation_id>/revoke/",
        partner_views.invitation_revoke,
        name="invitation_revoke",
    ),
]
for area in AREAS:
    portal_patterns += area.portal_patterns

urlpatterns = [
    path("", front_views.tenant_root, name="tenant_root"),
    path("console/", include((console_patterns, "console"))),
    path("portal/", include((portal_patterns, "portal"))),
]
