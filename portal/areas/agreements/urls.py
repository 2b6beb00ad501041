"""URL patterns of this area: console_patterns are mounted under
/t/<tenant>/console/, portal_patterns under /t/<tenant>/portal/."""

from django.urls import path

from . import views

console_patterns: list = [
    path("agreements/", views.console_list, name="agreements"),
    path("agreements/<int:agreement_id>/", views.console_detail, name="agreement_detail"),
    path("agreements/<int:agreement_id>/pdf/", views.document, name="agreement_document"),
]
portal_patterns: list = [
    path("agreement/", views.portal_view, name="agreement"),
    path("agreement/<int:agreement_id>/accept/", views.portal_accept, name="agreement_accept"),
    path("agreement/<int:agreement_id>/pdf/", views.document, name="agreement_document"),
]
