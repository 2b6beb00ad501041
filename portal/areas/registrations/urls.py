"""URL patterns of this area: console_patterns are mounted under
/t/<tenant>/console/, portal_patterns under /t/<tenant>/portal/."""

from django.urls import path

from . import views

console_patterns: list = [
    path("registrations/", views.registrations, name="registrations"),
    path("registrations/queue/", views.approval_queue, name="registration_queue"),
    path("registrations/conflicts/", views.conflicts, name="registration_conflicts"),
    path("registrations/export/", views.registrations_export, name="registrations_export"),
    path(
        "registrations/<int:registration_id>/",
        views.console_registration,
        name="registration",
    ),
    path(
        "registrations/<int:registration_id>/decide/",
        views.registration_decide,
        name="registration_decide",
    ),
    path(
        "registrations/<int:registration_id>/extension/",
        views.registration_extension_decide,
        name="registration_extension_decide",
    ),
]
portal_patterns: list = [
    path("registrations/", views.pipeline, name="registrations"),
    path("registrations/new/", views.registration_create, name="registration_create"),
    path("registrations/check/", views.registration_check, name="registration_check"),
    path("registrations/<int:registration_id>/", views.registration_detail, name="registration"),
    path(
        "registrations/<int:registration_id>/edit/",
        views.registration_edit,
        name="registration_edit",
    ),
    path(
        "registrations/<int:registration_id>/submit/",
        views.registration_submit,
        name="registration_submit",
    ),
    path(
        "registrations/<int:registration_id>/extension/",
        views.registration_extension,
        name="registration_extension",
    ),
    path(
        "registrations/<int:registration_id>/won/",
        views.registration_won,
        name="registration_won",
    ),
    path(
        "registrations/<int:registration_id>/lost/",
        views.registration_lost,
        name="registration_lost",
    ),
]
