"""URL patterns of this area: console_patterns are mounted under
/t/<tenant>/console/, portal_patterns under /t/<tenant>/portal/."""

from django.urls import path

from . import views

console_patterns: list = [
    path("payouts/runs/<int:run_id>/statements/", views.run_statements, name="run_statements"),
    path(
        "payouts/runs/<int:run_id>/statements/issue/",
        views.run_statements_issue,
        name="run_statements_issue",
    ),
    path(
        "payouts/runs/<int:run_id>/statements/zip/",
        views.run_statements_zip,
        name="run_statements_zip",
    ),
    path(
        "payouts/runs/<int:run_id>/payables.csv",
        views.run_payables_csv,
        name="run_payables_csv",
    ),
    path(
        "payouts/runs/<int:run_id>/payables.xlsx",
        views.run_payables_xlsx,
        name="run_payables_xlsx",
    ),
    path(
        "payouts/statements/<int:statement_id>/pdf/",
        views.statement_download,
        name="statement_download",
    ),
    path(
        "partners/<int:partner_id>/payout-profile/",
        views.payout_profile_edit,
        name="payout_profile_edit",
    ),
]
portal_patterns: list = [
    path("statements/", views.my_statements_list, name="my_statements"),
    path(
        "statements/<int:statement_id>/pdf/",
        views.my_statement_download,
        name="my_statement_download",
    ),
    path("payout-profile/", views.my_payout_profile, name="my_payout_profile"),
]
