"""URL patterns of this area: console_patterns are mounted under
/t/<tenant>/console/, portal_patterns under /t/<tenant>/portal/."""

from django.urls import path

from . import views

console_patterns: list = [
    path("partners/", views.partners, name="partners"),
    path("partners/export/", views.partners_export, name="partners_export"),
    path("partners/pick/", views.partner_pick, name="partner_pick"),
    path("partners/new/", views.partner_create_view, name="partner_create"),
    path("partners/import/", views.partners_import, name="partners_import"),
    path(
        "partners/import/template/",
        views.partners_import_template,
        name="partners_import_template",
    ),
    path("partners/import/report/", views.partners_import_report, name="partners_import_report"),
    path("partners/<int:partner_id>/", views.partner_detail, name="partner_detail"),
    path("partners/<int:partner_id>/edit/", views.partner_edit, name="partner_edit"),
    path("partners/<int:partner_id>/status/", views.partner_status, name="partner_status"),
    path("partners/<int:partner_id>/kpis/", views.partner_kpis, name="partner_kpis"),
    path("partner-types/", views.partner_types, name="partner_types"),
    path(
        "partner-types/<int:type_id>/delete/",
        views.partner_type_delete,
        name="partner_type_delete",
    ),
    path("kpis/", views.kpis, name="kpis"),
    path("kpis/<int:kpi_id>/delete/", views.kpi_delete, name="kpi_delete"),
]
portal_patterns: list = [
    path("profile/", views.profile, name="profile"),
]
