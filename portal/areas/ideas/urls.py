"""URL patterns of this area: console_patterns are mounted under
/t/<tenant>/console/, portal_patterns under /t/<tenant>/portal/."""

from django.urls import path

from . import views

console_patterns: list = [
    path("ideas/", views.ideas, name="ideas"),
    path("ideas/<int:idea_id>/", views.idea_detail, name="idea"),
]
portal_patterns: list = [
    path("ideas/", views.portal_ideas, name="ideas"),
    path("ideas/<int:idea_id>/", views.portal_idea, name="idea"),
]
