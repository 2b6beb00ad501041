"""URL patterns of this area: console_patterns are mounted under
/t/<tenant>/console/, portal_patterns under /t/<tenant>/portal/."""

from django.urls import path

from . import views

console_patterns: list = [
    path("onboarding/", views.plans, name="onboarding_plans"),
    path("onboarding/plans/<int:plan_id>/", views.plan_detail, name="onboarding_plan"),
    path(
        "onboarding/steps/<int:step_id>/remove/", views.step_remove, name="onboarding_step_remove"
    ),
    path(
        "onboarding/progress/<int:partner_step_id>/done/",
        views.console_step_complete,
        name="onboarding_step_complete",
    ),
]
portal_patterns: list = [
    path("onboarding/", views.portal_progress, name="onboarding"),
    path(
        "onboarding/<int:partner_step_id>/done/",
        views.portal_step_complete,
        name="onboarding_step_complete",
    ),
]
