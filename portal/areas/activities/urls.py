"""URL patterns of this area: console_patterns are mounted under
/t/<tenant>/console/, portal_patterns under /t/<tenant>/portal/."""

from django.urls import path

from . import views

console_patterns: list = [
    path(
        "registrations/<int:registration_id>/activities/",
        views.registration_activity_add,
        name="registration_activity_add",
    ),
    path(
        "activities/<int:activity_id>/download/",
        views.activity_download,
        name="activity_download",
    ),
]
portal_patterns: list = [
    path(
        "registrations/<int:registration_id>/activities/",
        views.registration_activity_add,
        name="registration_activity_add",
    ),
    path(
        "activities/<int:activity_id>/download/",
        views.activity_download,
        name="activity_download",
    ),
]
