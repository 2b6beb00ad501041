"""URL patterns of this area: console_patterns are mounted under
/t/<tenant>/console/, portal_patterns under /t/<tenant>/portal/."""

from django.urls import path

from . import views

console_patterns: list = [
    path("announcements/", views.announcements, name="announcements"),
    path("announcements/new/", views.announcement_create, name="announcement_create"),
    path(
        "announcements/<int:announcement_id>/",
        views.announcement_detail,
        name="announcement",
    ),
    path(
        "announcements/<int:announcement_id>/publish/",
        views.announcement_publish,
        name="announcement_publish",
    ),
    path(
        "announcements/<int:announcement_id>/unpublish/",
        views.announcement_unpublish,
        name="announcement_unpublish",
    ),
]
portal_patterns: list = [
    path("announcements/", views.portal_announcements, name="announcements"),
    path(
        "announcements/<int:announcement_id>/",
        views.portal_announcement,
        name="announcement",
    ),
]
