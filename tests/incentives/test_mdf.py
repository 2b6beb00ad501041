"""Market development funds: allocation, requests, claims with proof, payment
through the payout run, expiry — with the fund reconciling at every step."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Sum

from incentives.mdf_rules import ClaimReport
from incentives.models import (
    MdfClaim,
    MdfEntry,
    MdfFund,
    MdfProof,
    MdfRequest,
    PayoutItem,
)
from incentives.notifications import MDF_CLAIM_DUE, MDF_FUNDS_EXPIRING
from incentives.payables import COLUMNS, payable_rows
from incentives.selectors.statements import run_payables
from incentives.services.mdf_claims import mdf_claim_reject, mdf_claim_submit
from incentives.services.mdf_expiry import mdf_expire, mdf_remind
from incentives.services.mdf_funds import (
    mdf_fund_adjust,
    mdf_fund_allocate_one,
    mdf_funds_allocate,
)
from incentives.services.mdf_requests import (
    mdf_request_approve,
    mdf_request_ask_changes,
    mdf_request_reject,
    mdf_request_revise,
    mdf_request_submit,
)
from incentives.services.runs import payout_mark_paid
from partners.models import Tier
from prm.links import link
from prm.models import Notification, OutboxMessage
from prm.notifications import title_of
from prm.policies import NotAllowed
from prm.tenancy import tenant_context
from tests.concurrency import run_together
from tests.incentives.setup_incentives import D, approve, finance, run_of, won
from tests.incentives.setup_mdf import (
    PNG,
    approved_claim,
    approved_request,
    balances,
    claim,
    fund,
    mdf_program,
    pdf,
    plan,
    today,
)
from tests.world import make_member, staff

DAY = datetime.timedelta(days=1)


def reconciles(fund) -> bool:
    """The fund's balances add up and equal the sums of its ledger."""
    b = balances(fund)
    sums = MdfEntry.objects.filter(fund=fund).aggregate(**{name: Sum(f"d_{name}") for name in b})
    ledger = {name: sums[name] or D("0") for name in b}
    parts = b["available"] + b["committed"] + b["claimed"] + b["paid"] + b["expired"]
    return b == ledger and b["allocated"] == parts and min(b.values()) >= 0


def test_a_request_approved_in_part_then_claimed_in_part_moves_the_fund_exactly(world):
    with tenant_context(world.a.pk):
        mdf = mdf_program()
        p_fund = fund(mdf, world.p, "5000.00")
        request = approved_request(mdf, world.p_rep, "2000.00", approve="1500.00")
        assert request.claim_deadline == request.ends_on + datetime.timedelta(days=60)
        assert balances(p_fund) | {} == {
            "allocated": D("5000.00"),
            "available": D("3500.00"),
            "committed": D("1500.00"),
            "claimed": D("0"),
            "paid": D("0"),
            "expired": D("0"),
        }
        approved_claim(request, world.p_rep, "1400.00", approve="1200.00", leads=30)
        b = balances(p_fund)
        # 1,200 claimed; the other 300 of the commitment is available again.
        assert (b["available"], b["committed"], b["claimed"]) == (
            D("3800.00"),
            D("0.00"),
            D("1200.00"),
        )
        assert MdfRequest.objects.get(pk=request.pk).status == "claimed"
        assert reconciles(p_fund)


def test_fixed_and_revenue_share_allocations(world):
    with tenant_context(world.a.pk):
        fixed = mdf_program("fixed", name="Fixed MDF", fixed_amount=D("2500.00"))
        assert mdf_funds_allocate(program=fixed, day=today(), by=staff()) == 2
        assert mdf_funds_allocate(program=fixed, day=today(), by=staff()) == 0  # once
        assert set(
            MdfFund.objects.filter(program=fixed).values_list("partner_id", "allocated")
        ) == {(world.p.pk, D("2500.00")), (world.q.pk, D("2500.00"))}

        gold = Tier.objects.create(name="Gold MDF", rank=90, mdf_allocation_pct=D("2.50"))
        world.p.tier = gold
        world.p.save(update_fields=["tier"])
        share = mdf_program("revenue_share", name="Revenue MDF", calendar="quarterly")
        last_quarter_day = today().replace(day=1) - datetime.timedelta(days=95)
        won(world.p, "123456.78", on=last_quarter_day.replace(day=10))
        before = MdfFund.objects.filter(program=share).count()
        mdf_funds_allocate(program=share, day=today(), by=staff())
        created = MdfFund.objects.get(program=share, partner=world.p)
        assert before == 0
        # 2.5 % of 123,456.78 = 3,086.4195 → 3,086.42 (half-up, to the cent)
        assert (created.allocated, created.basis_revenue, created.basis_percent) == (
            D("3086.42"),
            D("123456.78"),
            D("2.50"),
        )
        # Q has no tier and no revenue: nothing to allocate.
        assert not MdfFund.objects.filter(program=share, partner=world.q).exists()
        assert reconciles(created)


def test_allocations_never_exceed_the_program_budget(world):
    with tenant_context(world.a.pk):
        capped = mdf_program("fixed", fixed_amount=D("600.00"), budget_cap=D("1000.00"))
        with pytest.raises(ValidationError, match="budget"):
            mdf_funds_allocate(program=capped, day=today(), by=staff())
        assert not MdfFund.objects.filter(program=capped).exists()  # all or nothing
        manual = mdf_program(name="Manual", budget_cap=D("1000.00"))
        p_fund = fund(manual, world.p, "800.00")
        with pytest.raises(ValidationError, match="200.00 EUR|200.00 USD"):
            fund(manual, world.q, "300.00")
        with pytest.raises(ValidationError, match="budget"):
            mdf_fund_adjust(fund=p_fund, amount=D("300.00"), reason="More", by=staff())
        mdf_fund_adjust(fund=p_fund, amount=D("200.00"), reason="Trade show", by=staff())
        assert balances(p_fund)["allocated"] == D("1000.00")


def test_a_reduction_never_takes_what_is_committed(world):
    with tenant_context(world.a.pk):
        mdf = mdf_program()
        p_fund = fund(mdf, world.p, "1000.00")
        approved_request(mdf, world.p_rep, "700.00")
        with pytest.raises(ValidationError, match="300.00"):
            mdf_fund_adjust(fund=p_fund, amount=D("-400.00"), reason="Cut", by=staff())
        mdf_fund_adjust(fund=p_fund, amount=D("-300.00"), reason="Cut", by=staff())
        b = balances(p_fund)
        assert (b["allocated"], b["available"], b["committed"]) == (
            D("700.00"),
            D("0.00"),
            D("700.00"),
        )
        assert reconciles(p_fund)


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "10.005"}, "amount"),
        ({"title": "  "}, "title"),
        ({"activity_type": "party"}, "activity_type"),
        ({"cofunding_percent": D("100")}, "cofunding_percent"),
        ({"expected_leads": -1}, "expected_leads"),
    ],
)
def test_bad_requests_are_refused_by_field_and_write_nothing(world, fields, field):
    with tenant_context(world.a.pk):
        mdf = mdf_program()
        fund(mdf, world.p, "1000.00")
        amount = fields.pop("amount", "100.00")
        with pytest.raises(ValidationError) as refused:
            mdf_request_submit(program=mdf, plan=plan(amount, **fields), by=world.p_rep)
        assert field in refused.value.message_dict
        assert not MdfRequest.objects.filter(program=mdf).exists()


def test_a_request_above_the_balance_and_an_approval_above_it_are_refused(world):
    with tenant_context(world.a.pk):
        mdf = mdf_program()
        fund(mdf, world.p, "1000.00")
        with pytest.raises(ValidationError, match="1000.00"):
            mdf_request_submit(program=mdf, plan=plan("1000.01"), by=world.p_rep)
        first = mdf_request_submit(program=mdf, plan=plan("800.00"), by=world.p_rep)
        second = mdf_request_submit(program=mdf, plan=plan("800.00"), by=world.p_admin)
        mdf_request_approve(request=first, by=staff())
        with pytest.raises(ValidationError, match="200.00"):
            mdf_request_approve(request=second, by=staff())
        assert MdfRequest.objects.get(pk=second.pk).status == "submitted"
        with pytest.raises(ValidationError, match="at most"):
            mdf_request_approve(request=second, amount=D("900.00"), by=staff())
        mdf_request_approve(request=second, amount=D("200.00"), by=staff())
        assert MdfRequest.objects.get(pk=second.pk).approved_amount == D("200.00")


def test_changes_asked_then_revised_then_rejected_with_a_reason(world):
    with tenant_context(world.a.pk):
        mdf = mdf_program()
        fund(mdf, world.p, "1000.00")
        request = mdf_request_submit(program=mdf, plan=plan("500.00"), by=world.p_rep)
        with pytest.raises(ValidationError):
            mdf_request_ask_changes(request=request, question=" ", by=staff())
        mdf_request_ask_changes(request=request, question="Which audience?", by=staff())
        with pytest.raises(ValidationError, match="decided"):
            mdf_request_approve(request=request, by=staff())
        mdf_request_revise(
            request=request, plan=plan("450.00", title="CIO webinar"), by=world.p_rep
        )
        request.refresh_from_db()
        assert (request.status, request.title, request.amount) == (
            "submitted",
            "CIO webinar",
            D("450.00"),
        )
        with pytest.raises(ValidationError):
            mdf_request_reject(request=request, reason="", by=staff())
        mdf_request_reject(request=request, reason="Out of scope", by=staff())
        request.refresh_from_db()
        assert (request.status, request.decision_note) == ("rejected", "Out of scope")


def test_partner_people_act_only_on_their_own_organisation(world):
    with tenant_context(world.a.pk):
        mdf = mdf_program()
        fund(mdf, world.p, "1000.00")
        request = approved_request(mdf, world.p_rep, "300.00")
        with pytest.raises(NotAllowed):
            claim(request, world.q_rep, "100.00")
        with pytest.raises(NotAllowed):
            mdf_request_revise(request=request, plan=plan("10.00"), by=world.q_rep)
        with pytest.raises(NotAllowed):
            mdf_request_approve(request=request, by=world.p_admin)
        with pytest.raises(ValidationError, match="no funds"):
            mdf_request_submit(program=mdf, plan=plan("10.00"), by=world.q_rep)


def test_bad_claims_are_refused_and_write_nothing(world):
    with tenant_context(world.a.pk):
        mdf = mdf_program()
        fund(mdf, world.p, "5000.00")
        request = approved_request(mdf, world.p_rep, "1000.00", approve="800.00")
        html = pdf("proof.pdf", b"<!DOCTYPE html><html><body>fake</body></html>")
        svg = pdf("photo.png", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>')
        big = pdf("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))
        exe = pdf("list.csv", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100)
        cases = [
            ("800.01", [pdf()], "amount"),
            ("0", [pdf()], "amount"),
            ("-1.00", [pdf()], "amount"),
            ("100.00", [], "proofs"),
            ("100.00", [html], "proofs"),
            ("100.00", [svg], "proofs"),
            ("100.00", [big], "proofs"),
            ("100.00", [exe], "proofs"),
            ("100.00", [pdf(f"p{i}.pdf") for i in range(11)], "proofs"),
        ]
        for amount, files, field in cases:
            with pytest.raises(ValidationError) as refused:
                claim(request, world.p_rep, amount, files=files)
            assert field in refused.value.message_dict, (amount, field)
        assert not MdfClaim.objects.filter(request=request).exists()
        assert not MdfProof.objects.filter(claim__request=request).exists()
        # A PNG that is a PNG is fine, with a PDF beside it.
        good = claim(request, world.p_rep, "700.00", files=[pdf(), pdf("photo.png", PNG)])
        assert sorted(good.proofs.values_list("content_type", flat=True)) == [
            "application/pdf",
            "image/png",
        ]
        with pytest.raises(ValidationError, match="waiting"):
            claim(request, world.p_rep, "100.00")


def test_a_claim_after_the_window_is_refused(world):
    with tenant_context(world.a.pk):
        mdf = mdf_program(claim_window_days=30)
        fund(mdf, world.p, "5000.00")
        long_ago = today() - datetime.timedelta(days=45)
        request = approved_request(mdf, world.p_rep, "500.00", starts=long_ago)
        with pytest.raises(ValidationError, match="closed"):
            claim(request, world.p_rep, "100.00")
        assert not MdfClaim.objects.filter(request=request).exists()


def test_a_rejected_claim_can_be_followed_by_another_in_the_window(world):
    with tenant_context(world.a.pk):
        mdf = mdf_program()
        p_fund = fund(mdf, world.p, "5000.00")
        request = approved_request(mdf, world.p_rep, "500.00")
        first = claim(request, world.p_rep, "500.00")
        with pytest.raises(ValidationError):
            mdf_claim_reject(claim=first, reason="", by=staff())
        mdf_claim_reject(claim=first, reason="The invoice is unreadable", by=staff())
        assert balances(p_fund)["committed"] == D("500.00")  # still committed
        approved_claim(request, world.p_rep, "480.00")
        assert balances(p_fund)["claimed"] == D("480.00")
        assert reconciles(p_fund)


def test_an_approved_claim_is_paid_once_in_one_run_and_on_the_statement(world):
    second_finance = make_member(world.a, "finance2@a.test", "finance")
    with tenant_context(world.a.pk):
        mdf = mdf_program(calendar="quarterly")
        p_fund = fund(mdf, world.p, "5000.00")
        request = approved_request(mdf, world.p_rep, "1000.00", title="Cloud roadshow")
        paid_claim = approved_claim(request, world.p_rep, "900.00", leads=18, attendees=60)
        run = run_of(mdf, day=today())
        items = list(PayoutItem.objects.filter(kind="mdf_claim"))
        assert [(i.run_id, i.mdf_claim_id, i.partner_id, i.amount) for i in items] == [
            (run.pk, paid_claim.pk, world.p.pk, D("900.00"))
        ]
        assert items[0].rule_detail == "Cloud roadshow"
        assert run.payouts.get(partner=world.p).payable == D("900.00")
        # A second open run (another period) does not pick the claim up.
        other = run_of(mdf, day=today() - datetime.timedelta(days=120))
        assert not PayoutItem.objects.filter(run=other, kind="mdf_claim").exists()
        approve(run, second_finance)
        rows = [dict(zip(COLUMNS, row, strict=True)) for row in payable_rows(run_payables(run=run))]
        item_rows = [r for r in rows if r["record"] == "item"]
        assert [(r["item_kind"], r["mdf_claim_id"], r["amount"]) for r in item_rows] == [
            ("mdf_claim", paid_claim.pk, D("900.00"))
        ]
        assert "Cloud roadshow" in item_rows[0]["source"]
        payout = run.payouts.get(partner=world.p)
        payout_mark_paid(payout=payout, paid_on=today(), reference="MDF-1", by=finance())
        b = balances(p_fund)
        assert (b["claimed"], b["paid"]) == (D("0.00"), D("900.00"))
        assert MdfEntry.objects.get(claim=paid_claim, kind="pay").payout_id == payout.pk
        assert reconciles(p_fund)


def test_the_ledger_is_append_only(world):
    with tenant_context(world.a.pk):
        mdf = mdf_program()
        p_fund = fund(mdf, world.p, "100.00")
        entry = MdfEntry.objects.get(fund=p_fund)
        for change in (
            lambda: MdfEntry.objects.filter(pk=entry.pk).update(amount=D("1.00")),
            lambda: MdfEntry.objects.filter(pk=entry.pk).delete(),
        ):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                change()
        # The fund itself cannot be made not to reconcile, or negative.
        with pytest.raises(DatabaseError), transaction.atomic():
            MdfFund.objects.filter(pk=p_fund.pk).update(available=D("50.00"))
        with pytest.raises(DatabaseError), transaction.atomic():
            MdfFund.objects.filter(pk=p_fund.pk).update(available=D("-1"), allocated=D("99"))


def test_expiry_and_reminders_run_twice_act_once(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    with tenant_context(world.a.pk):
        mdf = mdf_program(calendar="quarterly", claim_window_days=30, reminder_days=14)
        last_quarter = today() - datetime.timedelta(days=100)
        old_fund = fund(mdf, world.p, "1000.00", day=last_quarter)
        current = fund(mdf, world.p, "2000.00")
        # Approved 40 days ago, window of 30 days after its single day: closed.
        stale = approved_request(
            mdf, world.p_rep, "400.00", starts=today() - datetime.timedelta(days=40)
        )
        # Claim window closes in 10 days: a reminder, no expiry.
        due = approved_request(
            mdf, world.p_rep, "300.00", starts=today() - datetime.timedelta(days=20)
        )
        # A claim waiting for a decision holds its request past the window.
        waiting = approved_request(
            mdf, world.p_rep, "200.00", starts=today() - datetime.timedelta(days=25)
        )
        claim(waiting, world.p_rep, "200.00")
        MdfRequest.objects.filter(pk=waiting.pk).update(claim_deadline=today() - DAY)
        first = mdf_expire(today=today())
        second = mdf_expire(today=today())
        assert first == {"funds": 1, "requests": 1}
        assert second == {"funds": 0, "requests": 0}
        assert balances(old_fund)["expired"] == D("1000.00")
        b = balances(current)
        assert (b["expired"], b["committed"]) == (D("400.00"), D("500.00"))
        assert MdfRequest.objects.get(pk=stale.pk).status == "expired"
        assert MdfRequest.objects.get(pk=due.pk).status == "approved"
        assert MdfRequest.objects.get(pk=waiting.pk).status == "approved"
        assert reconciles(old_fund) and reconciles(current)
    # The reminders' e-mails are sent (eagerly) when their transaction commits.
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.pk):
        written = mdf_remind(today=today())
    with tenant_context(world.a.pk):
        assert written >= 2
        assert mdf_remind(today=today()) == 0
        reminded = MdfRequest.objects.filter(reminded_at__isnull=False)
        assert set(reminded.values_list("pk", flat=True)) == {due.pk}
        # The requester (a rep of P) and P's admin are told once each that the
        # due request's claim window closes, on the request's page.
        notes = Notification.objects.filter(kind__in=[MDF_CLAIM_DUE, MDF_FUNDS_EXPIRING])
        assert notes.count() == written
        deadline = MdfRequest.objects.get(pk=due.pk).claim_deadline
        event = f"mdf_request:{due.pk}:claim_due:{deadline.isoformat()}"
        claim_due = notes.filter(kind=MDF_CLAIM_DUE).order_by("recipient_id")
        assert sorted(claim_due.values_list("recipient_id", "event")) == sorted(
            [(world.p_rep.pk, event), (world.p_admin.pk, event)]
        )
        note = claim_due[0]
        assert note.params == {
            "title": "Partner webinar",
            "amount": "300.00",
            "currency": mdf.currency,
            "deadline": deadline.isoformat(),
        }
        assert (note.link_name, note.link_params) == ("partner_mdf_request", {"request_id": due.pk})
        assert "Partner webinar" in title_of(note)
        # Each notification is e-mailed by its own outbox message, once.
        ids = sorted(notes.values_list("pk", flat=True))
        queued = OutboxMessage.objects.filter(task_name="prm.notification_email")
        assert sorted(m.args[0] for m in queued if m.args[0] in ids) == ids
        assert not notes.filter(emailed_at__isnull=True).exists()
        url = link("partner_mdf_request", tenant=world.a, request_id=due.pk)
    # One message per recipient, each with one address.
    sent = [m for m in mail.outbox if "Claim your approved MDF" in m.subject]
    assert sorted(m.to for m in sent) == [["admin@p.test"], ["rep@p.test"]]
    assert all(url in m.body for m in sent)


def test_partner_admins_are_told_once_that_available_funds_expire(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    with tenant_context(world.a.pk):
        mdf = mdf_program(calendar="quarterly", reminder_days=14)
        current = fund(mdf, world.p, "2000.00")
        fund(mdf, world.q, "500.00")  # Q has no admin: nobody to tell
        soon = current.period_end - datetime.timedelta(days=3)
    with tenant_context(world.b.pk):
        b_fund = fund(mdf_program(calendar="quarterly"), world.b_partner, "900.00")
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.pk):
        assert mdf_remind(today=soon) == 1
    with tenant_context(world.a.pk):
        assert mdf_remind(today=soon) == 0
        assert mdf_remind(today=soon + DAY) == 0
        (note,) = Notification.objects.filter(kind=MDF_FUNDS_EXPIRING)
        assert (note.recipient_id, note.event) == (
            world.p_admin.pk,
            f"mdf_fund:{current.pk}:expiring:{current.period_end.isoformat()}",
        )
        assert note.params == {
            "program": "Co-marketing",
            "amount": "2000.00",
            "currency": mdf.currency,
            "expires_on": current.period_end.isoformat(),
        }
        url = link("portal_mdf", tenant=world.a)
    (message,) = mail.outbox
    assert message.to == ["admin@p.test"]
    assert "2,000.00 USD" in message.subject
    assert url in message.body
    with tenant_context(world.b.pk):
        assert not Notification.objects.filter(kind=MDF_FUNDS_EXPIRING).exists()
        assert MdfFund.objects.get(pk=b_fund.pk).reminded_at is None


def test_two_approvals_that_together_exceed_the_balance_end_with_one_refused(tx_world):
    w = tx_world
    with tenant_context(w.a.pk):
        mdf = mdf_program()
        p_fund = fund(mdf, w.p, "1000.00")
        first = mdf_request_submit(program=mdf, plan=plan("700.00"), by=w.p_rep)
        second = mdf_request_submit(program=mdf, plan=plan("600.00"), by=w.p_admin)

    def decide(request):
        def job():
            with tenant_context(w.a.pk):
                try:
                    mdf_request_approve(request=request, by=w.channel_manager)
                    return "approved"
                except ValidationError as error:
                    return error.messages[0]

        return job

    outcomes = run_together(decide(first), decide(second))
    assert outcomes.count("approved") == 1
    refused = [o for o in outcomes if o != "approved"]
    assert refused and "available" in refused[0]
    with tenant_context(w.a.pk):
        assert balances(p_fund)["committed"] in (D("700.00"), D("600.00"))
        assert reconciles(p_fund)


def test_a_claim_double_submitted_is_one_claim(tx_world):
    w = tx_world
    with tenant_context(w.a.pk):
        mdf = mdf_program()
        fund(mdf, w.p, "1000.00")
        request = approved_request(mdf, w.p_rep, "500.00")

    def submit():
        with tenant_context(w.a.pk):
            try:
                mdf_claim_submit(
                    request=request,
                    report=ClaimReport(amount=D("500.00")),
                    proofs=[pdf()],
                    by=w.p_rep,
                )
                return "claimed"
            except ValidationError as error:
                return error.messages[0]

    outcomes = run_together(submit, submit)
    assert sorted(outcomes) == ["This request has a claim waiting for a decision.", "claimed"]
    with tenant_context(w.a.pk):
        assert MdfClaim.objects.filter(request=request).count() == 1


def test_manual_allocation_refuses_a_second_fund_and_zero(world):
    with tenant_context(world.a.pk):
        mdf = mdf_program()
        fund(mdf, world.p, "100.00")
        with pytest.raises(ValidationError, match="top them up"):
            fund(mdf, world.p, "100.00")
        with pytest.raises(ValidationError):
            mdf_fund_allocate_one(
                program=mdf, partner=world.q, day=today(), amount=D("0"), by=staff()
            )
        with pytest.raises(ValidationError, match="by hand"):
            mdf_funds_allocate(program=mdf, day=today(), by=staff())


def test_the_claim_is_a_line_of_the_partners_statement(world, settings, tmp_path):
    from tests.incentives.setup_statements import issue, pdf_text, read, render_all

    settings.MEDIA_ROOT = str(tmp_path)
    second_finance = make_member(world.a, "finance2@a.test", "finance")
    with tenant_context(world.a.pk):
        mdf = mdf_program(calendar="quarterly")
        fund(mdf, world.p, "5000.00")
        request = approved_request(mdf, world.p_rep, "2500.00", title="Cloud roadshow")
        paid_claim = approved_claim(request, world.p_rep, "2345.67")
        run = approve(run_of(mdf, day=today()), second_finance)
        assert issue(run, finance()).new == 1
        (statement,) = render_all(run)
        assert statement.partner_id == world.p.pk
        text = pdf_text(read(statement))
        for expected in (
            "Approved MDF claim",
            f"MDF claim #{paid_claim.pk}: Cloud roadshow",
            "2,345.67",
        ):
            assert expected in text, expected


def test_a_claim_refused_after_its_files_were_written_leaves_no_file(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    with tenant_context(world.a.pk):
        mdf = mdf_program()
        fund(mdf, world.p, "1000.00")
        request = approved_request(mdf, world.p_rep, "500.00")
        original = MdfProof.save

        def fail_on_the_second(proof, *args, **kwargs):
            if MdfProof.objects.filter(claim=proof.claim).exists():
                raise DatabaseError("disk full")
            return original(proof, *args, **kwargs)

        MdfProof.save = fail_on_the_second
        try:
            with pytest.raises(DatabaseError):
                claim(request, world.p_rep, "100.00", files=[pdf(), pdf("second.pdf")])
        finally:
            MdfProof.save = original
        assert not MdfClaim.objects.filter(request=request).exists()
        assert not [path for path in tmp_path.rglob("*") if path.is_file()]
        assert not MdfRequest.objects.get(pk=request.pk).claims.exists()


def test_a_closed_or_other_program_takes_no_request(world):
    from incentives.services.programs import program_close

    with tenant_context(world.a.pk):
        mdf = mdf_program()
        fund(mdf, world.p, "1000.00")
        program_close(program=mdf, by=staff())
        mdf.refresh_from_db()
        with pytest.raises(ValidationError, match="does not take"):
            mdf_request_submit(program=mdf, plan=plan("10.00"), by=world.p_rep)
