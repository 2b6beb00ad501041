"""Shared set-up for the statement tests: approved runs with statements,
rendering them without a worker, and reading the PDFs back."""

import io

from django.utils import timezone
from pypdf import PdfReader

from deals.models import RevenueLine
from incentives.models import PayoutRun, Statement, StatementCounter
from incentives.services.statements import statement_render, statements_issue
from tests.incentives.setup_incentives import (
    D,
    RateTerm,
    approve,
    partner,
    product,
    program,
    run_of,
    won,
)

YEAR = timezone.localdate().year


def pdf_text(data: bytes) -> str:
    """The PDF's text with its white space (line breaks in table cells,
    non-breaking spaces) made single spaces."""
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\xa0", " ").split())


def counter() -> int:
    row = StatementCounter.objects.filter(year=YEAR).first()
    return row.last_number if row else 0


def issue(run, by, **kwargs):
    return statements_issue(run=run, by=by, **kwargs)


def render_all(run) -> list[Statement]:
    for statement_id in Statement.objects.filter(run=run).values_list("pk", flat=True):
        statement_render(statement_id=statement_id)
    return list(Statement.objects.filter(run=run).order_by("sequence"))


def read(statement: Statement) -> bytes:
    with statement.file.open("rb") as file:
        return file.read()


def rebate_run(a, approver):
    """P reaches the 4 % bracket with two lines and has a product at its own
    10 %; Q stays in the 2 % bracket."""
    special = product("SPECIAL")
    rebate = program(rates=(RateTerm(product_id=special.pk, percent=D("10")),))
    first = won(a.p, "60000.00")
    RevenueLine.objects.filter(pk=first.pk).update(order_ref="PO-4711")
    won(a.p, "90000.00")
    won(a.p, "10000.00", code="SPECIAL")
    won(a.q, "1000.00")
    run = run_of(rebate)
    return approve(run, approver)


def commission_runs(a, approver, count: int, payees: int) -> list[PayoutRun]:
    runs = []
    for n in range(count):
        commission = program("commission", percent=D("10"), name=f"Commission {n}")
        for m in range(payees):
            won(partner(f"Firm {n}-{m}"), "1000.00")
        runs.append(approve(run_of(commission), approver))
    return runs


def spif_and_commission_runs(a, approver):
    """P's partner-level commission, and SPIFs for P's rep, P's admin and Q's rep."""
    commission = program("commission", percent=D("10"), name="Commission")
    won(a.p, "1000.00")
    won(a.q, "1000.00")
    spif = program("spif", fixed_amount=D("100.00"), min_deal_amount=D("5000.00"), name="SPIF")
    won(a.p, "6000.00", by=a.p_rep.user)
    won(a.p, "7000.00", by=a.p_admin.user)
    won(a.q, "9000.00", by=a.q_rep.user)
    runs = [approve(run_of(commission), approver), approve(run_of(spif), approver)]
    for run in runs:
        issue(run, a.finance)
        render_all(run)
    return runs
