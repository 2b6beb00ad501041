"""URL patterns of this area: console_patterns are mounted under
/t/<tenant>/console/, portal_patterns under /t/<tenant>/portal/."""

from django.urls import path

from . import console, views

console_patterns: list = [
    path("mdf/", console.queue, name="mdf_queue"),
    path("mdf/requests/<int:request_id>/", console.request_detail, name="mdf_request"),
    path("mdf/claims/<int:claim_id>/", console.claim_detail, name="mdf_claim"),
    path("mdf/proofs/<int:proof_id>/", console.proof, name="mdf_proof"),
    path("mdf/funds/", console.funds, name="mdf_funds"),
    path("mdf/funds/<int:fund_id>/", console.fund_detail, name="mdf_fund"),
    path("mdf/report/", console.report, name="mdf_report"),
]
portal_patterns: list = [
    path("mdf/", views.home, name="mdf"),
    path("mdf/new/", views.request_new, name="mdf_request_new"),
    path("mdf/requests/<int:request_id>/", views.request_detail, name="mdf_request"),
    path("mdf/requests/<int:request_id>/edit/", views.request_edit, name="mdf_request_edit"),
    path(
        "mdf/requests/<int:request_id>/withdraw/",
        views.request_withdraw,
        name="mdf_request_withdraw",
    ),
    path("mdf/proofs/<int:proof_id>/", views.my_proof, name="mdf_proof"),
]
