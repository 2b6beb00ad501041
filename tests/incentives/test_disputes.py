"""Disputes of payout lines: opened by the partner's admin on an approved line,
one thread for both sides, resolved by finance with an adjustment the next
run pays exactly once, or without a change."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from incentives.models import Dispute, PayoutItem
from incentives.services.disputes import dispute_open, dispute_reply, dispute_resolve
from incentives.services.runs import payout_run_approve
from prm.policies import NotAllowed
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.concurrency import run_together
from tests.incentives.setup_incentives import D, program, run_of, won
from tests.world import make_member


@pytest.fixture
def second_finance(world):
    return make_member(world.a, "finance2@a.test", Role.FINANCE)


@pytest.fixture
def approved(world, second_finance):
    """A commission run paying P and Q, approved."""
    with tenant_context(world.a.pk):
        commission = program("commission", percent=D("10"))
        won(world.p, "1000.00")
        won(world.q, "2000.00")
        run = payout_run_approve(run=run_of(commission), by=second_finance)
        items = {i.partner_id: i for i in PayoutItem.objects.filter(run=run)}
    return commission, run, items


def test_a_dispute_resolved_with_an_adjustment_is_paid_once_in_the_next_run(
    world, approved, second_finance
):
    commission, _run, items = approved
    with tenant_context(world.a.pk):
        dispute = dispute_open(item=items[world.p.pk], body="We agreed 12 %", by=world.p_admin)
        dispute_reply(dispute=dispute, body="Checking the contract", by=world.finance)
        dispute_reply(dispute=dispute, body="Clause 4.2", by=world.p_admin)
        dispute_resolve(dispute=dispute, body="Right: 2 % more", amount="20.00", by=world.finance)
        later = run_of(commission, day=datetime.date(2026, 10, 1))
        item = PayoutItem.objects.get(run=later, kind="adjustment")
        assert (item.partner_id, item.amount, item.adjustment.dispute_id) == (
            world.p.pk,
            D("20.00"),
            dispute.pk,
        )
        assert later.payouts.get(partner=world.p).payable == D("20.00")
        payout_run_approve(run=later, by=second_finance)
        # A run of the next period does not pay the adjustment again.
        again = run_of(commission, day=datetime.date(2026, 12, 31))
        assert not PayoutItem.objects.filter(run=again, kind="adjustment").exists()


def test_resolving_without_a_change_writes_no_adjustment(world, approved):
    commission, _run, items = approved
    with tenant_context(world.a.pk):
        dispute = dispute_open(item=items[world.p.pk], body="Too low?", by=world.p_admin)
        dispute = dispute_resolve(dispute=dispute, body="Correct as paid", by=world.finance)
        assert (dispute.status, dispute.resolution) == ("resolved", "no_change")
        assert not PayoutItem.objects.filter(kind="adjustment").exists()
        with pytest.raises(ValidationError, match="resolved"):
            dispute_reply(dispute=dispute, body="But…", by=world.p_admin)


def test_only_the_partners_admin_disputes_its_own_approved_lines(world, approved):
    _commission, _run, items = approved
    with tenant_context(world.a.pk):
        with pytest.raises(NotAllowed):
            dispute_open(item=items[world.q.pk], body="Not ours", by=world.p_admin)
        for member in (world.p_rep, world.channel_manager, world.finance):
            with pytest.raises(NotAllowed):
                dispute_open(item=items[world.p.pk], body="x", by=member)
        with pytest.raises(ValidationError):
            dispute_open(item=items[world.p.pk], body="   ", by=world.p_admin)
        dispute = (
            dispute_open(item=items[world.q.pk], body="Q asks", by=world.q_rep) if False else None
        )
        assert dispute is None
        with pytest.raises(NotAllowed):
            dispute_resolve(
                dispute=dispute_open(item=items[world.p.pk], body="Why?", by=world.p_admin),
                body="x",
                by=world.channel_manager,
            )


def test_a_double_submit_opens_one_dispute(tx_world):
    w = tx_world
    second_finance = make_member(w.a, "finance2@a.test", Role.FINANCE)
    with tenant_context(w.a.pk):
        commission = program("commission", percent=D("10"))
        won(w.p, "1000.00")
        run = payout_run_approve(run=run_of(commission), by=second_finance)
        item = PayoutItem.objects.get(run=run, partner=w.p)

    def submit():
        with tenant_context(w.a.pk):
            try:
                dispute_open(item=item, body="Twice", by=w.p_admin)
                return "opened"
            except ValidationError as error:
                return error.messages[0]

    assert sorted(run_together(submit, submit)) == ["This line is in dispute already.", "opened"]
    with tenant_context(w.a.pk):
        assert Dispute.objects.filter(item=item).count() == 1


def url(name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": "vendor-a", **kwargs})


def test_both_sides_follow_the_thread_through_the_pages(client, world, approved):
    _commission, _run, items = approved
    client.force_login(world.p_admin.user)
    opened = client.post(
        url("portal:dispute_open", item_id=items[world.p.pk].pk), {"body": "Rate looks wrong"}
    )
    with tenant_context(world.a.pk):
        dispute = Dispute.objects.get(item=items[world.p.pk])
    assert opened.url == url("portal:my_dispute", dispute_id=dispute.pk)
    assert client.get(url("portal:dispute_open", item_id=items[world.q.pk].pk)).status_code == 404
    client.force_login(world.finance.user)
    client.post(url("console:dispute", dispute_id=dispute.pk), {"body": "Looking into it"})
    client.post(
        url("console:dispute", dispute_id=dispute.pk),
        {"resolve": "1", "body": "Adjusted", "amount": "15.00"},
    )
    client.force_login(world.p_admin.user)
    page = client.get(url("portal:my_dispute", dispute_id=dispute.pk)).content.decode()
    assert "Rate looks wrong" in page and "Looking into it" in page and "15.00 USD" in page
    client.force_login(world.q_rep.user)
    assert client.get(url("portal:my_dispute", dispute_id=dispute.pk)).status_code == 403
