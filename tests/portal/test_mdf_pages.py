"""The market development funds pages through the real HTTP layer: a partner
rep requests funds, the channel manager approves part of it, the partner
claims with proof, the manager approves the claim; proofs download only for
those who may see them; finance reads the report but decides nothing; the
lists keep a constant number of queries."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incentives.models import MdfClaim, MdfFund, MdfProof, MdfRequest, Program
from incentives.services.mdf_requests import mdf_request_reject, mdf_request_submit
from prm.links import link
from prm.tenancy import tenant_context
from tests.incentives.setup_incentives import D
from tests.incentives.setup_mdf import (
    PDF,
    approved_claim,
    approved_request,
    balances,
    claim,
    fund,
    mdf_program,
    plan,
    today,
)
from tests.world import staff

HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def url(name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": "vendor-a", **kwargs})


def upload(name="invoice.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def mdf(world, media):
    """A running MDF program with 5,000.00 for partner P."""
    with tenant_context(world.a.pk):
        program = mdf_program()
        fund(program, world.p, "5000.00")
    return program


def request_form(program, **fields):
    return {
        "program": program.pk,
        "activity_type": "webinar",
        "title": "Spring webinar",
        "description": "A webinar for prospects in the north",
        "starts_on": today().isoformat(),
        "ends_on": today().isoformat(),
        "expected_leads": "20",
        "expected_attendees": "50",
        "expected_results": "Two proofs of concept",
        "amount": "2000.00",
        "cofunding_percent": "25",
        **fields,
    }


def world_b_program_id(world) -> int:
    with tenant_context(world.b.pk):
        return Program.objects.filter(kind="mdf").values_list("pk", flat=True).first()


def _the_request(world, title="Spring webinar") -> MdfRequest:
    with tenant_context(world.a.pk):
        return MdfRequest.objects.get(title=title)


def test_request_approve_in_part_claim_with_proof_and_approve_the_claim(client, world, mdf, media):
    # The partner rep asks for funds and sees the request on the MDF home.
    client.force_login(world.p_rep.user)
    home = client.get(url("portal:mdf"))
    assert home.status_code == 200 and b"Request funds" in home.content
    sent = client.post(url("portal:mdf_request_new"), request_form(mdf))
    request = _the_request(world)
    assert sent.status_code == 302
    assert sent["Location"] == url("portal:mdf_request", request_id=request.pk)
    assert request.partner_id == world.p.pk and request.amount == D("2000.00")
    home = client.get(url("portal:mdf")).content.decode()
    assert "Spring webinar" in home and "Waiting for the vendor&#x27;s decision." in home

    # The channel manager finds it in the queue and approves 1,500.00 of it.
    client.force_login(world.channel_manager.user)
    queue = client.get(url("console:mdf_queue"))
    assert queue.status_code == 200 and b"Spring webinar" in queue.content
    page = url("console:mdf_request", request_id=request.pk)
    assert client.get(page).status_code == 200
    approved = client.post(
        page, {"decision": "approve", "amount": "1500.00", "note": "Catering is on you"}
    )
    assert approved.status_code == 302
    request = _the_request(world)
    assert request.approved_amount == D("1500.00") and request.claim_deadline is not None
    assert b"Spring webinar" not in client.get(url("console:mdf_queue")).content

    # The partner sees the claim form; a web page named proof.pdf is refused
    # next to the files field and nothing is written.
    client.force_login(world.p_rep.user)
    detail = url("portal:mdf_request", request_id=request.pk)
    page = client.get(detail)
    assert page.context["claim_form"] is not None and b"Catering is on you" in page.content
    refused = client.post(
        detail,
        {"amount": "1200.00", "actual_leads": "25", "proofs": [upload("proof.pdf", HTML)]},
    )
    assert refused.status_code == 400
    assert "proofs" in refused.context["claim_form"].errors
    text = refused.content.decode()
    field = text[text.index('name="proofs"') :]
    assert field.index('class="error"') < field.index("</div>")
    with tenant_context(world.a.pk):
        assert not MdfClaim.objects.filter(request=request).exists()
        assert not MdfProof.objects.filter(claim__request=request).exists()
    assert [path for path in media.rglob("*") if path.is_file()] == []

    # A real PDF goes through.
    claimed = client.post(
        detail,
        {
            "amount": "1200.00",
            "actual_leads": "25",
            "actual_attendees": "40",
            "results": "Three meetings booked",
            "proofs": [upload("invoice.pdf"), upload("agenda.pdf")],
        },
    )
    assert claimed.status_code == 302
    with tenant_context(world.a.pk):
        sent_claim = MdfClaim.objects.get(request=request)
        proof = MdfProof.objects.filter(claim=sent_claim).order_by("pk").first()
        assert sent_claim.proofs.count() == 2
    home = client.get(url("portal:mdf")).content.decode()
    assert "Claim sent: waiting for the vendor&#x27;s decision." in home

    # The manager approves 1,000.00 of the claim; the rest goes back to the fund.
    client.force_login(world.channel_manager.user)
    claim_page = url("console:mdf_claim", claim_id=sent_claim.pk)
    shown = client.get(claim_page)
    assert shown.status_code == 200 and b"invoice.pdf" in shown.content
    assert client.post(claim_page, {"decision": "approve", "amount": "1000.00"}).status_code == 302
    with tenant_context(world.a.pk):
        sent_claim.refresh_from_db()
        assert sent_claim.approved_amount == D("1000.00")
        p_fund = MdfFund.objects.get(program=mdf, partner=world.p)
        assert balances(p_fund) == {
            "allocated": D("5000.00"),
            "available": D("4000.00"),
            "committed": D("0.00"),
            "claimed": D("1000.00"),
            "paid": D("0.00"),
            "expired": D("0.00"),
        }
    ledger = client.get(url("console:mdf_fund", fund_id=p_fund.pk))
    assert [entry.kind for entry in ledger.context["entries"]] == [
        "release",
        "claim",
        "commit",
        "allocate",
    ]

    # The proof downloads for the partner and for the manager, as an attachment
    # never sniffed; another organisation's rep gets a 404.
    for who, name in (
        (world.p_rep, "portal:mdf_proof"),
        (world.channel_manager, "console:mdf_proof"),
    ):
        client.force_login(who.user)
        response = client.get(url(name, proof_id=proof.pk))
        assert response.status_code == 200, who
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(world.q_rep.user)
    assert client.get(url("portal:mdf_proof", proof_id=proof.pk)).status_code == 404


def test_finance_reads_the_report_but_decides_nothing(client, world, mdf):
    with tenant_context(world.a.pk):
        done = approved_request(mdf, world.p_rep, "1000.00", title="Trade fair")
        approved_claim(done, world.p_rep, "800.00", leads=20, attendees=160)
        waiting = mdf_request_submit(program=mdf, plan=plan("300.00"), by=world.p_rep)
        other = approved_request(mdf, world.p_rep, "400.00", title="Mailing")
        waiting_claim = claim(other, world.p_rep, "400.00")
    client.force_login(world.finance.user)
    report = client.get(url("console:mdf_report"))
    assert report.status_code == 200
    [row] = [row for row in report.context["returns"] if row.activity == "Trade fair"]
    assert (row.cost, row.per_lead, row.per_attendee) == (D("800.00"), D("40.00"), D("5.00"))
    text = report.content.decode()
    assert "40.00 USD" in text and "5.00 USD" in text
    assert any(line["partner__name"] == "Partner P" for line in report.context["utilisation"])
    nav = text[text.index("Incentives") :]
    assert "MDF report" in nav and "MDF funds" in nav and "MDF requests &amp; claims" not in nav
    # Finance may look at a request and a claim, but not decide them.
    request_page = url("console:mdf_request", request_id=waiting.pk)
    claim_page = url("console:mdf_claim", claim_id=waiting_claim.pk)
    assert client.get(request_page).status_code == 200
    assert client.get(claim_page).status_code == 200
    assert client.get(url("console:mdf_queue")).status_code == 403
    assert client.post(request_page, {"decision": "approve"}).status_code == 403
    assert client.post(request_page, {"decision": "reject", "reason": "No"}).status_code == 403
    assert client.post(claim_page, {"decision": "approve"}).status_code == 403
    with tenant_context(world.a.pk):
        p_fund = MdfFund.objects.get(program=mdf, partner=world.p)
    assert (
        client.post(url("console:mdf_fund", fund_id=p_fund.pk), {"amount": "1"}).status_code == 403
    )
    assert client.post(url("console:mdf_funds"), {"form": "allocate"}).status_code == 403
    with tenant_context(world.a.pk):
        assert MdfRequest.objects.get(pk=waiting.pk).status == "submitted"
        assert MdfClaim.objects.get(pk=waiting_claim.pk).status == "submitted"


def test_decisions_show_their_errors_next_to_their_fields(client, world, mdf):
    with tenant_context(world.a.pk):
        request = mdf_request_submit(program=mdf, plan=plan("600.00"), by=world.p_rep)
    page = url("console:mdf_request", request_id=request.pk)
    client.force_login(world.channel_manager.user)
    empty = client.post(page, {"decision": "reject", "reason": ""})
    assert empty.status_code == 400 and "reason" in empty.context["reject_form"].errors
    too_much = client.post(page, {"decision": "approve", "amount": "600.01"})
    assert too_much.status_code == 400
    assert "600.00" in too_much.context["approve_form"].errors["amount"][0]
    assert client.post(page, {"decision": "maybe"}).status_code == 400
    asked = client.post(page, {"decision": "changes", "question": "Which city?"})
    assert asked.status_code == 302

    # The partner answers by changing the request; it waits for a decision again.
    client.force_login(world.p_admin.user)
    detail = client.get(url("portal:mdf_request", request_id=request.pk))
    assert b"Which city?" in detail.content and detail.context["claim_form"] is None
    edit = url("portal:mdf_request_edit", request_id=request.pk)
    form = client.get(edit)
    assert form.status_code == 200 and "program" not in form.context["form"].fields
    bad = client.post(edit, request_form(mdf, ends_on="2000-01-01", amount="0"))
    assert bad.status_code == 400
    assert {"ends_on", "amount"} <= set(bad.context["form"].errors)
    revised = client.post(edit, request_form(mdf, title="Webinar in Oslo", amount="550.00"))
    assert revised.status_code == 302
    request = _the_request(world, "Webinar in Oslo")
    assert request.amount == D("550.00") and request.status == "submitted"
    # Above the balance: the service's message shows next to the amount.
    over = client.post(edit, request_form(mdf, amount="9000.00"))
    assert over.status_code == 400 and "available" in over.context["form"].errors["amount"][0]

    withdrawn = client.post(url("portal:mdf_request_withdraw", request_id=request.pk))
    assert withdrawn.status_code == 302
    assert _the_request(world, "Webinar in Oslo").status == "withdrawn"
    assert client.get(edit).status_code == 302  # decided: nothing to change


def test_a_new_request_shows_every_problem_and_writes_nothing(client, world, mdf):
    client.force_login(world.p_rep.user)
    page = url("portal:mdf_request_new")
    missing = client.post(page, request_form(mdf, title="", description=""))
    assert missing.status_code == 400
    assert {"title", "description"} <= set(missing.context["form"].errors)
    wrong = client.post(page, request_form(mdf, ends_on="2000-01-01", amount="0"))
    assert wrong.status_code == 400
    assert set(wrong.context["form"].errors) == {"ends_on", "amount"}
    text = wrong.content.decode()
    assert "The activity cannot end before it starts." in text
    other = client.post(page, {**request_form(mdf), "program": world_b_program_id(world)})
    assert other.status_code == 400 and "program" in other.context["form"].errors
    with tenant_context(world.a.pk):
        assert not MdfRequest.objects.filter(program=mdf).exists()


def test_overdue_claims_are_highlighted_on_the_portal_home(client, world, media):
    with tenant_context(world.a.pk):
        program = mdf_program(claim_window_days=30)
        fund(program, world.p, "5000.00")
        long_ago = today() - datetime.timedelta(days=45)
        approved_request(program, world.p_rep, "500.00", title="Old fair", starts=long_ago)
    client.force_login(world.p_rep.user)
    page = client.get(url("portal:mdf")).content.decode()
    row = page[page.index("Old fair") - 400 : page.index("Old fair")]
    assert 'class="overdue-row"' in row
    assert "The claim window has closed." in page


def test_the_channel_manager_allocates_and_adjusts_funds(client, world, mdf):
    client.force_login(world.channel_manager.user)
    page = url("console:mdf_funds")
    listing = client.get(page, {"program": mdf.pk})
    assert listing.status_code == 200
    assert [f.partner.name for f in listing.context["funds"]] == ["Partner P"]
    assert b"partner_picker.js" in listing.content
    query = f"?program={mdf.pk}"
    given = client.post(
        page + query,
        {"form": "allocate_one", "partner": world.q.pk, "period": today(), "amount": "750.00"},
    )
    assert given.status_code == 302
    again = client.post(
        page + query,
        {"form": "allocate_one", "partner": world.q.pk, "period": today(), "amount": "10.00"},
    )
    assert again.status_code == 400
    assert "partner" in again.context["allocate_one_form"].errors
    with tenant_context(world.a.pk):
        q_fund = MdfFund.objects.get(program=mdf, partner=world.q)
    assert q_fund.allocated == D("750.00")

    fund_page = url("console:mdf_fund", fund_id=q_fund.pk)
    no_reason = client.post(fund_page, {"amount": "-100.00", "reason": ""})
    assert no_reason.status_code == 400 and "reason" in no_reason.context["form"].errors
    too_much = client.post(fund_page, {"amount": "-800.00", "reason": "Less budget"})
    assert too_much.status_code == 400 and "amount" in too_much.context["form"].errors
    assert client.post(fund_page, {"amount": "250.00", "reason": "Event added"}).status_code == 302
    assert client.post(fund_page, {"amount": "-100.00", "reason": "Trimmed"}).status_code == 302
    with tenant_context(world.a.pk):
        assert balances(q_fund)["available"] == D("900.00")
    ledger = client.get(fund_page)
    assert [e.kind for e in ledger.context["entries"]] == ["reduce", "top_up", "allocate"]
    assert b"Event added" in ledger.content

    # A fixed program allocates the period to every eligible partner at once.
    with tenant_context(world.a.pk):
        fixed = mdf_program("fixed", name="Fixed MDF", fixed_amount=D("300.00"))
    done = client.post(
        f"{page}?program={fixed.pk}", {"form": "allocate", "period": today().isoformat()}
    )
    assert done.status_code == 302
    with tenant_context(world.a.pk):
        assert MdfFund.objects.filter(program=fixed).count() == 2
    outside = client.post(
        f"{page}?program={fixed.pk}", {"form": "allocate", "period": "1990-01-01"}
    )
    assert outside.status_code == 400 and "period" in outside.context["allocate_form"].errors


def test_menus_e_mails_and_the_program_page_lead_to_the_mdf_pages(client, world, mdf):
    assert link("portal_mdf", tenant=world.a).endswith("/t/vendor-a/portal/mdf/")
    client.force_login(world.p_rep.user)
    assert url("portal:mdf").encode() in client.get(url("portal:dashboard")).content
    client.force_login(world.channel_manager.user)
    console = client.get(url("console:dashboard")).content
    for name in ("console:mdf_queue", "console:mdf_funds", "console:mdf_report"):
        assert url(name).encode() in console
    program_page = client.get(url("console:program", program_id=mdf.pk)).content.decode()
    assert f"{url('console:mdf_funds')}?program={mdf.pk}" in program_page
    assert "Preview" not in program_page


def _rows(world, program, n):
    """``n`` requests of P in every state the pages show: waiting, approved,
    claimed and waiting, rejected."""
    with tenant_context(world.a.pk):
        for i in range(n):
            title = f"Activity {i}"
            if i % 4 == 0:
                mdf_request_submit(program=program, plan=plan("10.00", title=title), by=world.p_rep)
            elif i % 4 == 1:
                approved_request(program, world.p_rep, "10.00", title=title)
            elif i % 4 == 2:
                claim(
                    approved_request(program, world.p_rep, "10.00", title=title), world.p_rep, "5"
                )
            else:
                sent = mdf_request_submit(
                    program=program, plan=plan("10.00", title=title), by=world.p_rep
                )
                mdf_request_reject(request=sent, reason="Not this time", by=staff())


def _queries(client, address) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "who, name", [("channel_manager", "console:mdf_queue"), ("p_rep", "portal:mdf")]
)
def test_lists_cost_the_same_queries_for_3_and_30_rows(client, world, mdf, who, name):
    client.force_login(getattr(world, who).user)
    _rows(world, mdf, 3)
    few = _queries(client, url(name))
    _rows(world, mdf, 27)
    many = _queries(client, url(name))
    assert few == many
