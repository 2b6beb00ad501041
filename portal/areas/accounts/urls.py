"""URL patterns of this area: console_patterns are mounted under
/t/<tenant>/console/, portal_patterns under /t/<tenant>/portal/."""

from django.urls import path

from . import views

console_patterns: list = [
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
    path(
        "deals/accounts/import/report/",
        views.direct_accounts_import_report,
        name="direct_accounts_import_report",
    ),
]
portal_patterns: list = []
