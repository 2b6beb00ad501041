"""URL patterns of this area: console_patterns are mounted under
/t/<tenant>/console/, portal_patterns under /t/<tenant>/portal/."""

from django.urls import path

from . import views

console_patterns: list = [
    path("deals/products/", views.products, name="products"),
    path("deals/products/new/", views.product_create, name="product_create"),
    path("deals/products/<int:product_id>/edit/", views.product_edit, name="product_edit"),
    path(
        "deals/products/<int:product_id>/deactivate/",
        views.product_deactivate,
        name="product_deactivate",
    ),
    path(
        "deals/products/<int:product_id>/reactivate/",
        views.product_reactivate,
        name="product_reactivate",
    ),
    path("deals/settings/", views.deal_settings_view, name="deal_settings"),
    path("deals/accounts/", views.direct_accounts, name="direct_accounts"),
    path("deals/accounts/import/", views.direct_accounts_import, name="direct_accounts_import"),
    path(
        "deals/accounts/import/template/",
        views.direct_accounts_template,
        name="direct_accounts_template",
    ),
    path(
        "deals/accounts/<int:account_id>/delete/",
        views.direct_account_delete,
        name="direct_account_delete",
    ),
    path("deals/revenue/", views.revenue, name="revenue"),
    path("deals/orders/import/", views.orders_import, name="orders_import"),
    path("deals/orders/import/template/", views.orders_template, name="orders_template"),
    path("deals/imports/report/", views.import_report, name="deal_import_report"),
]
portal_patterns: list = []
