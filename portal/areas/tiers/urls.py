"""URL patterns of this area: console_patterns are mounted under
/t/<tenant>/console/, portal_patterns under /t/<tenant>/portal/."""

from django.urls import path

from . import views

console_patterns: list = [
    path("tiers/", views.program, name="tiers"),
    path("tiers/evaluate/", views.evaluate, name="tiers_evaluate"),
    path("tiers/new/", views.tier_create, name="tier_create"),
    path("tiers/<int:tier_id>/", views.tier_edit, name="tier_edit"),
    path("tiers/<int:tier_id>/delete/", views.tier_delete, name="tier_delete"),
    path("tiers/<int:tier_id>/requirements/", views.requirement_add, name="tier_requirement_add"),
    path(
        "tiers/requirements/<int:requirement_id>/remove/",
        views.requirement_remove,
        name="tier_requirement_remove",
    ),
    path("tiers/proposals/", views.proposals, name="tier_proposals"),
    path("tiers/proposals/<int:change_id>/decide/", views.decide, name="tier_change_decide"),
    path("partners/<int:partner_id>/tiers/", views.partner_tiers, name="partner_tiers"),
]
portal_patterns: list = [
    path("tiers/", views.progress, name="tier_progress"),
]
