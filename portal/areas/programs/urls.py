"""URL patterns of this area: console_patterns are mounted under
/t/<tenant>/console/, portal_patterns under /t/<tenant>/portal/."""

from django.urls import path

from . import views

console_patterns: list = [
    path("programs/", views.program_list, name="programs"),
    path("programs/new/", views.program_create, name="program_create"),
    path("programs/<int:program_id>/", views.program_detail, name="program"),
    path("programs/<int:program_id>/edit/", views.program_edit, name="program_edit"),
    path("programs/<int:program_id>/activate/", views.program_activate, name="program_activate"),
    path("programs/<int:program_id>/close/", views.program_close, name="program_close"),
    path(
        "programs/<int:program_id>/new-version/",
        views.program_new_version,
        name="program_new_version",
    ),
    path("exchange-rates/", views.exchange_rate_list, name="exchange_rates"),
]
portal_patterns: list = []
