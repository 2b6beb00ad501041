"""URL patterns of this area: console_patterns are mounted under
/t/<tenant>/console/, portal_patterns under /t/<tenant>/portal/."""

from django.urls import path

from . import views

console_patterns: list = [
    path("surveys/", views.surveys, name="surveys"),
    path("surveys/new/", views.survey_create, name="survey_create"),
    path("surveys/<int:survey_id>/", views.survey_detail, name="survey"),
    path("surveys/<int:survey_id>/open/", views.survey_open, name="survey_open"),
    path("surveys/<int:survey_id>/close/", views.survey_close, name="survey_close"),
    path("surveys/<int:survey_id>/results/", views.survey_results, name="survey_results"),
    path(
        "surveys/<int:survey_id>/questions/",
        views.survey_question_add,
        name="survey_question_add",
    ),
    path(
        "surveys/<int:survey_id>/questions/<int:survey_question_id>/",
        views.survey_question_edit,
        name="survey_question",
    ),
    path(
        "surveys/<int:survey_id>/questions/<int:survey_question_id>/remove/",
        views.survey_question_remove,
        name="survey_question_remove",
    ),
]
portal_patterns: list = [
    path("surveys/", views.portal_surveys, name="surveys"),
    path("surveys/<int:survey_id>/", views.portal_survey, name="survey"),
]
