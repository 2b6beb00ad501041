"""URL patterns of this area: console_patterns are mounted under
/t/<tenant>/console/, portal_patterns under /t/<tenant>/portal/; public_patterns
under /apply/."""

from django.urls import path

from . import views

console_patterns: list = [
    path("applications/", views.queue, name="applications"),
    path("applications/<int:application_id>/", views.detail, name="application_detail"),
    path("recruitment/", views.settings_view, name="recruitment_settings"),
    path(
        "recruitment/questions/<int:question_id>/retire/",
        views.question_delete,
        name="question_retire",
    ),
    path(
        "recruitment/criteria/<int:criterion_id>/delete/",
        views.criterion_delete,
        name="criterion_delete",
    ),
]
portal_patterns: list = []
public_patterns: list = [
    path("<slug:vendor_slug>/", views.apply, name="apply"),
]
