"""URL patterns of this area: console_patterns are mounted under
/t/<tenant>/console/, portal_patterns under /t/<tenant>/portal/."""

from django.urls import path

from . import views

console_patterns: list = [
    path("partners/", views.partners, name="partners"),
    path("partners/<int:partner_id>/", views.partner_detail, name="partner_detail"),
]
portal_patterns: list = []
