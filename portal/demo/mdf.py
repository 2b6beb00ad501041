"""Demo data: market development funds.

Northwind's "Co-marketing fund" allocates a fixed amount per quarter to its
resellers, MSPs and integrators.  This quarter's requests and claims stand in
every state: waiting for a decision, sent back with a question, rejected,
approved and not yet claimed (one of them two days before its claim window
closes), claimed with proof and waiting, a claim rejected, a claim approved
and paid by an MDF payout run, a claim approved and waiting for the next run,
and an approved request whose window closed, expired by the deadline job.

Dates follow the calendar: activities lie before the day the demo is loaded,
so their windows are open or closed as described, whatever that day is."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incentives.mdf_rules import ActivityPlan, ClaimReport
from incentives.models import MdfFund, MdfRequest, Program
from incentives.program_rules import ProgramTerms
from incentives.services.mdf_claims import mdf_claim_approve, mdf_claim_reject, mdf_claim_submit
from incentives.services.mdf_expiry import mdf_expire
from incentives.services.mdf_funds import mdf_fund_adjust, mdf_funds_allocate
from incentives.services.mdf_requests import (
    mdf_request_approve,
    mdf_request_ask_changes,
    mdf_request_reject,
    mdf_request_submit,
)
from incentives.services.programs import program_activate, program_create
from incentives.services.runs import (
    payout_run_approve,
    payout_run_calculate,
    payout_run_create,
    payout_run_mark_paid,
)
from prm.models import Membership
from prm.tenancy import tenant_context

D = Decimal
PROGRAM = "Co-marketing fund"
WINDOW = 60
MANAGER = "manager@northwind.example"
PREPARER = "finance@northwind.example"
APPROVER = "controller@northwind.example"

# A PDF invoice and a CSV attendee list, as partners upload them.
INVOICE = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
ATTENDEES = b"name,company,email\nAnna Berg,Coho Winery,anna@cohowinery.example\n"

# title, who asks, activity, days ago it started, days it lasted, amount asked,
# expected leads, expected attendees, what happens next.
# fmt: off
REQUESTS = [
    ("Security roadshow Chicago", "rep@bluewave.example", "event", 40, 2, "4200.00", 40, 120,
     ("approve", None), ("claim", "3900.00", 46, 131), ("approve_claim", None), ("pay",)),
    ("Analytics webinar series", "admin@bluewave.example", "webinar", 30, 10, "1800.00", 60, 250,
     ("approve", "1500.00"), ("claim", "1500.00", 52, 212)),
    ("Partner Summit booth", "rep@bluewave.example", "trade_show", 60, 3, "2500.00", 30, None,
     ("approve", None)),
    ("Search campaign Q-end", "rep@cobalt.example", "digital", 20, 14, "1200.00", 25, None,
     ("approve", None), ("claim", "1200.00", 9, None), ("reject_claim",),
     ("claim", "1150.00", 11, None), ("approve_claim", "1100.00")),
    ("Customer case study video", "rep@cobalt.example", "content", 12, 5, "3000.00", None, None,
     ("approve", None)),
    ("MSP breakfast briefing", "rep@cobalt.example", "event", -10, 1, "900.00", 12, 30,
     ()),
    ("Trade fair stand Berlin", "rep@cobalt.example", "trade_show", -30, 3, "6000.00", 50, None,
     ("changes",)),
    ("Sponsored newsletter", "rep@bluewave.example", "digital", -5, 30, "700.00", 15, None,
     ("reject",)),
    ("Spring demo day", "rep@bluewave.example", "event", 100, 1, "1000.00", 20, 60,
     ("approve", None)),
]
# fmt: on


def seed(tenants: dict) -> None:
    """Add this area's demo data to the tenants (keyed by slug); idempotent."""
    tenant = tenants.get("northwind")
    if tenant is None:
        return
    with tenant_context(tenant.pk):
        people = {
            m.user.email: m
            for m in Membership.objects.filter(is_active=True).select_related("user")
        }
        if not {MANAGER, PREPARER, APPROVER} <= set(people):
            return
        if Program.objects.filter(name=PROGRAM, kind="mdf").exists():
            return
        today = timezone.localdate()
        program = _program(today, people[MANAGER])
        mdf_funds_allocate(program=program, day=today, by=people[MANAGER])
        for row in REQUESTS:
            _request(program, row, today, people)
        # The window of the Spring demo day closed: the deadline job expires it.
        mdf_expire(today=today)


def _program(today: datetime.date, manager: Membership) -> Program:
    terms = ProgramTerms(
        name=PROGRAM,
        kind="mdf",
        calendar="quarterly",
        starts_on=datetime.date(today.year - 1, 1, 1),
        ends_on=datetime.date(today.year + 1, 12, 31),
        currency="USD",
        description=(
            "Funds for events, webinars, campaigns and content that generate pipeline for "
            "Northwind. Request before the activity, claim with proof within 60 days after it."
        ),
        mdf_allocation="fixed",
        fixed_amount=D("12000.00"),
        budget_cap=D("400000.00"),
        claim_window_days=WINDOW,
        reminder_days=14,
        eligible_types=("reseller", "msp", "si"),
    )
    return program_activate(program=program_create(terms=terms, by=manager), by=manager)


def _request(program, row, today, people) -> None:
    title, email, activity, ago, days, amount, leads, attendees, *steps = row
    person = people.get(email)
    if person is None:
        return
    starts = today - datetime.timedelta(days=ago)
    plan = ActivityPlan(
        activity_type=activity,
        title=title,
        description=f"{title}: planned with Northwind's field marketing team.",
        starts_on=starts,
        ends_on=starts + datetime.timedelta(days=days - 1),
        amount=D(amount),
        expected_leads=leads,
        expected_attendees=attendees,
    )
    fund = MdfFund.objects.filter(program=program, partner_id=person.partner_link.partner_id)
    fund = fund.order_by("-period_start").first()
    if fund is not None and fund.available < plan.amount:
        mdf_fund_adjust(fund=fund, amount=plan.amount, reason="Demo top-up", by=people[MANAGER])
    request = mdf_request_submit(program=program, plan=plan, by=person)
    for step in (s for s in steps if s):
        request = MdfRequest.objects.get(pk=request.pk)
        _step(program, request, step, person, people)


def _proofs() -> list:
    return [
        SimpleUploadedFile("invoice.pdf", INVOICE, content_type="application/pdf"),
        SimpleUploadedFile("attendees.csv", ATTENDEES, content_type="text/csv"),
    ]


def _step(program, request, step, person, people) -> None:
    manager = people[MANAGER]
    kind, *args = step
    if kind == "approve":
        amount = D(args[0]) if args[0] else None
        mdf_request_approve(request=request, amount=amount, by=manager, note="Good fit.")
    elif kind == "changes":
        mdf_request_ask_changes(
            request=request,
            question="Which Northwind products will the stand show, and who staffs it?",
            by=manager,
        )
    elif kind == "reject":
        mdf_request_reject(
            request=request,
            reason="Newsletters outside our target segments are not eligible this quarter.",
            by=manager,
        )
    elif kind == "claim":
        amount, leads, attendees = args
        report = ClaimReport(
            amount=D(amount),
            actual_leads=leads,
            actual_attendees=attendees,
            results="Leads shared with Northwind's inside sales.",
        )
        mdf_claim_submit(request=request, report=report, proofs=_proofs(), by=person)
    elif kind in ("approve_claim", "reject_claim"):
        claim = request.claims.filter(status="submitted").get()
        if kind == "approve_claim":
            amount = D(args[0]) if args[0] else None
            mdf_claim_approve(claim=claim, amount=amount, by=manager)
        else:
            mdf_claim_reject(
                claim=claim, reason="The invoice does not name the campaign.", by=manager
            )
    elif kind == "pay":
        _pay(program, people)


def _pay(program, people) -> None:
    """An MDF run of this quarter pays the approved claim: prepared, approved
    and paid by finance."""
    today = timezone.localdate()
    run = payout_run_create(program=program, day=today, by=people[PREPARER])
    payout_run_calculate(run_id=run.pk)
    run.refresh_from_db()
    payout_run_approve(run=run, by=people[APPROVER])
    payout_run_mark_paid(run=run, paid_on=today, reference="MDF-2026-001", by=people[APPROVER])
