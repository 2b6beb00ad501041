"""URL patterns of this area: the same inbox in the console and in the portal."""

from django.urls import path

from . import views

patterns: list = [
    path("notifications/", views.inbox, name="notifications"),
    path("notifications/read/", views.read_all, name="notifications_read_all"),
    path("notifications/settings/", views.preferences, name="notification_settings"),
    path("notifications/<int:notification_id>/", views.open_one, name="notification_open"),
]
console_patterns = list(patterns)
portal_patterns = list(patterns)
