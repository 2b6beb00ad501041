"""URL patterns of this area: console_patterns are mounted under
/t/<tenant>/console/, portal_patterns under /t/<tenant>/portal/."""

from django.urls import path

from . import views

console_patterns: list = [
    path("points/rules/", views.rules, name="points_rules"),
    path("points/rules/<int:earning_rule_id>/", views.rule_edit, name="points_rule"),
    path(
        "points/rules/<int:earning_rule_id>/deactivate/",
        views.rule_deactivate,
        name="points_rule_deactivate",
    ),
    path("points/settings/", views.settings_edit, name="points_settings"),
    path("points/rewards/", views.rewards, name="rewards"),
    path("points/rewards/<int:reward_id>/", views.reward_edit, name="reward"),
    path("points/rewards/<int:reward_id>/image/", views.reward_image, name="reward_image"),
    path("points/redemptions/", views.redemptions, name="redemptions"),
    path(
        "points/redemptions/<int:redemption_id>/fulfil/",
        views.redemption_fulfil,
        name="redemption_fulfil",
    ),
    path(
        "points/redemptions/<int:redemption_id>/reject/",
        views.redemption_reject,
        name="redemption_reject",
    ),
    path("points/liability/", views.liability, name="points_liability"),
    path("partners/<int:partner_id>/points/", views.partner_points, name="partner_points"),
]
portal_patterns: list = [
    path("points/", views.my_points, name="my_points"),
    path("points/history/", views.history, name="points_history"),
    path("points/rewards/", views.catalogue, name="reward_catalogue"),
    path("points/rewards/<int:reward_id>/redeem/", views.reward_redeem, name="reward_redeem"),
    path("points/rewards/<int:reward_id>/image/", views.my_reward_image, name="my_reward_image"),
    path("points/redemptions/", views.my_redemptions, name="my_redemptions"),
    path("points/redemptions/<int:redemption_id>/", views.my_redemption, name="my_redemption"),
]
