"""URL patterns of this area: console_patterns are mounted under
/t/<tenant>/console/, portal_patterns under /t/<tenant>/portal/."""

from django.urls import path

from . import disputes, views

console_patterns: list = [
    path("payouts/", views.run_list, name="payout_runs"),
    path("programs/<int:program_id>/runs/new/", views.run_create, name="payout_run_create"),
    path("payouts/runs/<int:run_id>/", views.run_detail, name="payout_run"),
    path(
        "payouts/runs/<int:run_id>/recalculate/",
        views.run_recalculate,
        name="payout_run_recalculate",
    ),
    path("payouts/runs/<int:run_id>/budget/", views.run_budget, name="payout_run_budget"),
    path("payouts/runs/<int:run_id>/approve/", views.run_approve, name="payout_run_approve"),
    path("payouts/runs/<int:run_id>/paid/", views.run_paid, name="payout_run_paid"),
    path("payouts/<int:payout_id>/", views.payout_detail, name="payout"),
    path("partners/<int:partner_id>/earnings/", views.partner_earnings, name="partner_earnings"),
    path("payouts/disputes/", disputes.disputes, name="disputes"),
    path("payouts/disputes/<int:dispute_id>/", disputes.dispute, name="dispute"),
]
portal_patterns: list = [
    path("earnings/", views.my_earnings, name="earnings"),
    path("earnings/<int:payout_id>/", views.my_payout, name="my_payout"),
    path("earnings/lines/<int:item_id>/dispute/", disputes.dispute_open, name="dispute_open"),
    path("disputes/", disputes.my_disputes, name="my_disputes"),
    path("disputes/<int:dispute_id>/", disputes.my_dispute, name="my_dispute"),
]
