"""URL patterns of this area: console_patterns are mounted under
/t/<tenant>/console/, portal_patterns under /t/<tenant>/portal/."""

from django.urls import path

from . import views

console_patterns: list = [
    path("leads/", views.leads, name="leads"),
    path("leads/new/", views.lead_create, name="lead_create"),
    path("leads/<int:lead_id>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:lead_id>/offer/", views.lead_offer, name="lead_offer"),
    path("leads/<int:lead_id>/route/", views.lead_route, name="lead_route"),
    path("leads/<int:lead_id>/withdraw/", views.lead_withdraw, name="lead_withdraw"),
    path("leads/<int:lead_id>/close/", views.lead_close, name="lead_close"),
    path(
        "leads/<int:lead_id>/activities/new/",
        views.lead_activity_add,
        name="lead_activity_add",
    ),
    path("lead-routing/", views.routing_rules, name="routing_rules"),
    path("lead-routing/new/", views.routing_rule_create, name="routing_rule_create"),
    path("lead-routing/<int:rule_id>/", views.routing_rule_edit, name="routing_rule_edit"),
    path(
        "lead-routing/<int:rule_id>/deactivate/",
        views.routing_rule_deactivate,
        name="routing_rule_deactivate",
    ),
]
portal_patterns: list = [
    path("leads/", views.inbox, name="leads_inbox"),
    path("leads/<int:lead_id>/", views.portal_lead, name="lead_detail"),
    path("leads/offers/<int:offer_id>/accept/", views.offer_accept, name="offer_accept"),
    path("leads/offers/<int:offer_id>/decline/", views.offer_decline, name="offer_decline"),
    path(
        "leads/<int:lead_id>/activities/new/",
        views.lead_activity_add,
        name="lead_activity_add",
    ),
]
