"""The statements pages: a run's statements with progress and the button that
issues them, PDF downloads for whoever may see them (404 for anyone else),
the ZIP streamed without touching the database, the accounts-payable CSV and
XLSX, the payout profile pages, and list pages whose query count does not
grow with their rows."""

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from incentives.models import Payout, PayoutProfile, PayoutRun, Statement
from incentives.payables import COLUMNS
from prm.models import OutboxMessage
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.incentives.setup_incentives import D, partner, program, run_of, won
from tests.incentives.setup_statements import (
    issue,
    pdf_text,
    read,
    rebate_run,
    render_all,
    spif_and_commission_runs,
)
from tests.world import make_member


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def second_finance(world):
    return make_member(world.a, "finance2@a.test", Role.FINANCE)


def url(world, name, tenant=None, **kwargs):
    return reverse(name, kwargs={"tenant_slug": (tenant or world.a).slug, **kwargs})


@pytest.fixture
def rebate(world, second_finance):
    """The rebate run of P and Q, approved, statements not issued yet."""
    with tenant_context(world.a.pk):
        PayoutProfile.objects.update_or_create(
            partner=world.p,
            defaults={
                "legal_name": "=HYPERLINK(evil)",
                "tax_id": "DE123",
                "payment_details": "IBAN DE00 1234",
            },
        )
        return rebate_run(world, second_finance)


def _issued(world, run) -> list[Statement]:
    with tenant_context(world.a.pk):
        issue(run, world.finance)
        return render_all(run)


# --- the run's statements page -------------------------------------------------------------


def test_finance_generates_a_runs_statements_and_follows_their_progress(client, world, rebate):
    client.force_login(world.finance.user)
    page = client.get(url(world, "console:run_statements", run_id=rebate.pk))
    assert page.status_code == 200
    assert b"Generate statements" in page.content
    assert page.context["progress"].unissued == 2

    response = client.post(
        url(world, "console:run_statements_issue", run_id=rebate.pk), {"language": "de"}
    )
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        statements = list(Statement.objects.filter(run=rebate))
        assert len(statements) == 2 and {s.language for s in statements} == {"de"}
        assert OutboxMessage.objects.filter(
            task_name="incentives.statement_render", args=[statements[0].pk]
        ).exists()
    page = client.get(response["Location"])
    assert b"0 of 2 statements ready" in page.content
    assert b'http-equiv="refresh"' in page.content
    assert b"Generate statements" not in page.content

    with tenant_context(world.a.pk):
        render_all(rebate)
    page = client.get(url(world, "console:run_statements", run_id=rebate.pk))
    assert b"2 of 2 statements ready" in page.content
    assert b'http-equiv="refresh"' not in page.content
    assert b'aria-valuenow="100"' in page.content


def test_channel_managers_see_the_statements_but_do_not_issue_them(client, world, rebate):
    _issued(world, rebate)
    client.force_login(world.channel_manager.user)
    page = client.get(url(world, "console:run_statements", run_id=rebate.pk))
    assert page.status_code == 200 and b"Generate statements" not in page.content
    issue_url = url(world, "console:run_statements_issue", run_id=rebate.pk)
    assert client.post(issue_url, {"language": "en"}).status_code == 403
    assert client.get(issue_url).status_code == 405


def test_a_draft_runs_page_offers_neither_issuing_nor_downloads(client, world):
    with tenant_context(world.a.pk):
        commission = program("commission", percent=D("10"))
        won(world.p, "1000.00")
        draft = run_of(commission)
    client.force_login(world.finance.user)
    page = client.get(url(world, "console:run_statements", run_id=draft.pk))
    assert page.status_code == 200 and b"Generate statements" not in page.content
    for name in ("console:run_statements_zip", "console:run_payables_csv"):
        assert client.get(url(world, name, run_id=draft.pk)).status_code == 404
    response = client.post(
        url(world, "console:run_statements_issue", run_id=draft.pk), {"language": "en"}
    )
    assert b"approved" in client.get(response["Location"]).content


# --- downloads ----------------------------------------------------------------------------


def test_a_statement_downloads_as_a_pdf_for_vendor_staff(client, world, rebate):
    statement = _issued(world, rebate)[0]
    client.force_login(world.channel_manager.user)
    response = client.get(url(world, "console:statement_download", statement_id=statement.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"statement-{statement.number}.pdf" in response["Content-Disposition"]
    assert statement.number in pdf_text(b"".join(response.streaming_content))


def test_statements_of_another_tenant_are_404(client, world):
    with tenant_context(world.b.pk):
        b_statement = Statement.objects.get()
        b_run = PayoutRun.objects.get()
    client.force_login(world.finance.user)
    for name, kwargs in (
        ("console:statement_download", {"statement_id": b_statement.pk}),
        ("console:run_statements", {"run_id": b_run.pk}),
        ("console:run_statements_zip", {"run_id": b_run.pk}),
        ("console:run_payables_csv", {"run_id": b_run.pk}),
        ("console:run_payables_xlsx", {"run_id": b_run.pk}),
    ):
        assert client.get(url(world, name, **kwargs)).status_code == 404, name
        assert client.get(url(world, name, tenant=world.b, **kwargs)).status_code == 404, name
    client.force_login(world.p_admin.user)
    assert (
        client.get(
            url(world, "portal:my_statement_download", statement_id=b_statement.pk)
        ).status_code
        == 404
    )


def test_the_zip_streams_every_ready_statement_without_touching_the_database(client, world, rebate):
    statements = _issued(world, rebate)
    with tenant_context(world.a.pk):
        # A statement still being rendered is left out.
        Statement.objects.filter(pk=statements[1].pk).update(status="pending")
    client.force_login(world.finance.user)
    response = client.get(url(world, "console:run_statements_zip", run_id=rebate.pk))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].endswith('.zip"')
    # The body is written after the view returned, outside the tenant's
    # transaction: it must not query anything.
    with CaptureQueriesContext(connection) as queries:
        body = b"".join(response.streaming_content)
    assert len(queries) == 0
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert archive.testzip() is None
    first = statements[0]
    assert archive.namelist() == [f"{first.number}-partner-p.pdf"]
    with tenant_context(world.a.pk):
        assert archive.read(archive.namelist()[0]) == read(first)


def test_the_zip_of_a_run_without_ready_statements_is_404(client, world, rebate):
    client.force_login(world.finance.user)
    assert client.get(url(world, "console:run_statements_zip", run_id=rebate.pk)).status_code == 404


# --- payables -----------------------------------------------------------------------------


def _csv(client, world, run) -> list[dict]:
    response = client.get(url(world, "console:run_payables_csv", run_id=run.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    assert tuple(reader.fieldnames) == COLUMNS
    return list(reader)


def test_the_payables_csv_has_a_row_per_payee_and_per_item(client, world, rebate):
    statements = _issued(world, rebate)
    client.force_login(world.finance.user)
    rows = _csv(client, world, rebate)
    assert [(r["record"], r["partner_name"]) for r in rows] == [
        ("payee", "Partner P"),
        ("item", "Partner P"),
        ("item", "Partner P"),
        ("item", "Partner P"),
        ("payee", "Partner Q"),
        ("item", "Partner Q"),
    ]
    p_payee = rows[0]
    numbers = {s.partner_id: s.number for s in statements}
    assert p_payee["statement_number"] == numbers[world.p.pk]
    assert (p_payee["payable"], p_payee["amount"], p_payee["currency"]) == (
        "7000.00",
        "7000.00",
        "USD",
    )
    assert p_payee["payout_status"] == "payable" and p_payee["item_id"] == ""
    # A formula typed into a profile reaches the spreadsheet as text.
    assert p_payee["legal_name"] == "'=HYPERLINK(evil)"
    assert (p_payee["tax_id"], p_payee["payment_details"]) == ("DE123", "IBAN DE00 1234")
    items = rows[1:4]
    assert sorted(Decimal(r["amount"]) for r in items) == [D("1000.00"), D("2400.00"), D("3600.00")]
    assert sum(Decimal(r["amount"]) for r in items) == Decimal(p_payee["amount"])
    bracket = next(r for r in items if r["rule"] == "bracket")
    assert bracket["rule_text"] == "Bracket from 100,000.00: 4 %"
    assert (bracket["rate"], bracket["item_kind"], bracket["payable"]) == ("4.0000", "earning", "")
    assert bracket["customer"].startswith("Customer ") and bracket["revenue_line_id"]
    assert next(r for r in items if r["order_ref"])["order_ref"] == "PO-4711"
    assert rows[4]["legal_name"] == "Partner Q"  # no profile: the partner's name


def test_the_payables_xlsx_has_the_same_rows_with_numbers_as_numbers(client, world, rebate):
    _issued(world, rebate)
    client.force_login(world.finance.user)
    expected = _csv(client, world, rebate)
    response = client.get(url(world, "console:run_payables_xlsx", run_id=rebate.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) - 1 == len(expected)
    payee = dict(zip(COLUMNS, rows[1], strict=True))
    assert payee["payable"] == 7000 and isinstance(payee["payable"], (int, float))
    assert payee["legal_name"] == "'=HYPERLINK(evil)"
    assert str(payee["period_start"].date()) == expected[0]["period_start"]
    assert [r[0] for r in rows[1:]] == [r["record"] for r in expected]


# --- the portal ---------------------------------------------------------------------------


@pytest.fixture
def ring(world, second_finance):
    with tenant_context(world.a.pk):
        spif_and_commission_runs(world, second_finance)
        return {
            (s.partner_id, s.person_id): s
            for s in Statement.objects.filter(run__program__name__in=["Commission", "SPIF"])
        }


def _listed(client, world, who) -> set:
    client.force_login(getattr(world, who).user)
    response = client.get(url(world, "portal:my_statements"))
    assert response.status_code == 200
    return {(s.partner_id, s.person_id) for s in response.context["statements"]}


def test_partner_people_list_and_download_their_own_statements_only(client, world, ring):
    p_all = {(world.p.pk, None), (world.p.pk, world.p_rep.pk), (world.p.pk, world.p_admin.pk)}
    assert _listed(client, world, "p_admin") == p_all
    assert _listed(client, world, "p_rep") == {(world.p.pk, world.p_rep.pk)}
    assert _listed(client, world, "q_rep") == {(world.q.pk, world.q_rep.pk)}

    def status(who, key):
        client.force_login(getattr(world, who).user)
        statement_url = url(world, "portal:my_statement_download", statement_id=ring[key].pk)
        return client.get(statement_url).status_code

    assert status("p_admin", (world.p.pk, world.p_rep.pk)) == 200
    assert status("p_admin", (world.q.pk, world.q_rep.pk)) == 404
    assert status("p_rep", (world.p.pk, world.p_rep.pk)) == 200
    assert status("p_rep", (world.p.pk, None)) == 404
    assert status("p_rep", (world.p.pk, world.p_admin.pk)) == 404
    assert status("q_rep", (world.p.pk, world.p_rep.pk)) == 404


# --- payout profiles ----------------------------------------------------------------------


def test_the_partner_admin_edits_the_payout_profile_in_the_portal(client, world):
    client.force_login(world.p_admin.user)
    page_url = url(world, "portal:my_payout_profile")
    page = client.get(page_url)
    assert page.status_code == 200 and b"Partner P Ltd" in page.content  # the fill's profile
    response = client.post(
        page_url,
        {
            "legal_name": "P AG",
            "address": "Bahnhofstr. 2",
            "tax_id": "CHE-1",
            "payment_details": "",
        },
    )
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        profile = PayoutProfile.objects.get(partner=world.p)
        assert (profile.legal_name, profile.tax_id, profile.updated_by_id) == (
            "P AG",
            "CHE-1",
            world.p_admin.pk,
        )
    too_long = client.post(page_url, {"tax_id": "x" * 61})
    assert too_long.status_code == 400
    client.force_login(world.p_rep.user)
    assert client.get(page_url).status_code == 403


def test_vendor_staff_edit_any_partners_payout_profile(client, world):
    client.force_login(world.channel_manager.user)
    page_url = url(world, "console:payout_profile_edit", partner_id=world.q.pk)
    assert client.get(page_url).status_code == 200
    assert client.post(page_url, {"legal_name": "Q SARL"}).status_code == 302
    with tenant_context(world.a.pk):
        assert PayoutProfile.objects.get(partner=world.q).legal_name == "Q SARL"
    client.force_login(world.finance.user)
    assert client.get(page_url).status_code == 403
    client.force_login(world.channel_manager.user)
    b_page = url(world, "console:payout_profile_edit", partner_id=world.b_partner.pk)
    assert client.get(b_page).status_code == 404


# --- query counts -------------------------------------------------------------------------


def _approved_run_with_payees(world, count: int) -> PayoutRun:
    """A run with ``count`` payees of one item each, approved, statements issued."""
    with tenant_context(world.a.pk):
        commission = program("commission", percent=D("10"), name=f"Wide {count}")
        for n in range(count):
            won(partner(f"Wide {count}-{n}"), "100.00")
        run = run_of(commission)
        PayoutRun.objects.filter(pk=run.pk).update(status="approved")
        run.refresh_from_db()
        issue(run, world.finance)
        Statement.objects.filter(run=run).update(status="ready")
        return run


def _queries(client, page_url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page_url).status_code == 200
    return len(queries)


def test_the_run_page_and_the_payables_cost_the_same_for_3_and_30_payees(client, world):
    small = _approved_run_with_payees(world, 3)
    large = _approved_run_with_payees(world, 30)
    with tenant_context(world.a.pk):
        assert Payout.objects.filter(run=large).count() >= 30
    client.force_login(world.finance.user)
    for name in ("console:run_statements", "console:run_payables_csv"):
        assert _queries(client, url(world, name, run_id=small.pk)) == _queries(
            client, url(world, name, run_id=large.pk)
        ), name


def test_my_statements_cost_the_same_for_3_and_30_statements(client, world):
    with tenant_context(world.a.pk):
        payees = [
            make_member(world.a, f"rep{n}@p.test", Role.PARTNER_REP, world.p) for n in range(30)
        ]
    client.force_login(world.p_admin.user)

    def statements_for(people):
        with tenant_context(world.a.pk):
            program_ = program("spif", fixed_amount=D("10"), name=f"Many {len(people)}")
            run = PayoutRun.objects.create(
                program=program_,
                period_start=program_.starts_on,
                period_end=program_.ends_on,
                as_of=program_.starts_on,
                currency="USD",
                status="draft",
            )
            payouts = Payout.objects.bulk_create(
                Payout(
                    run=run,
                    partner=world.p,
                    person=person,
                    currency="USD",
                    total=10,
                    payable=10,
                    carried=0,
                    status="payable",
                )
                for person in people
            )
            Statement.objects.bulk_create(
                Statement(
                    run=run,
                    payout=payout,
                    partner=world.p,
                    person=payout.person,
                    year=2030,
                    sequence=payout.pk,
                    number=f"2030-{payout.pk:06d}",
                    issued_on=program_.starts_on,
                    language="en",
                    status="ready",
                )
                for payout in payouts
            )

    statements_for(payees[:3])
    few = _queries(client, url(world, "portal:my_statements"))
    statements_for(payees[3:])
    many = _queries(client, url(world, "portal:my_statements"))
    assert few == many
