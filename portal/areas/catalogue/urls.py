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
]
portal_patterns: list = []
