"""URL patterns of this area: console_patterns are mounted under
/t/<tenant>/console/, portal_patterns under /t/<tenant>/portal/."""

from django.urls import path

from . import views

console_patterns: list = [
    path("deals/revenue/", views.revenue, name="revenue"),
    path("deals/revenue/<int:line_id>/reverse/", views.revenue_reverse, name="revenue_reverse"),
    path("deals/orders/import/", views.orders_import, name="orders_import"),
    path("deals/orders/import/template/", views.orders_template, name="orders_template"),
    path("deals/orders/import/report/", views.orders_import_report, name="orders_import_report"),
]
portal_patterns: list = []
