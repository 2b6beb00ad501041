"""URL patterns of this area: console_patterns are mounted under
/t/<tenant>/console/, portal_patterns under /t/<tenant>/portal/."""

from django.urls import path

from . import views

console_patterns: list = [
    path("deals/settings/", views.deal_settings_view, name="deal_settings"),
]
portal_patterns: list = []
