"""The incentive pages through the real HTTP layer: programs defined and
previewed in the console, runs calculated, approved and paid by finance, and
partners seeing their own earnings only."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incentives.models import PayoutRun, Program
from incentives.services.runs import payout_run_calculate
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.incentives.setup_incentives import D, partner, program, run_of, won
from tests.world import make_member


def url(name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": "vendor-a", **kwargs})


FORM = {
    "name": "Volume rebate 2026",
    "kind": "rebate",
    "calendar": "quarterly",
    "starts_on": "2026-01-01",
    "ends_on": "2026-12-31",
    "currency": "USD",
    "rebate_method": "retroactive",
    "brackets": "0: 2\n100,000: 4\n500000: 6",
    "rates": "CORE: 8%",
    "minimum_payout": "0",
    "four_eyes_above": "10000",
}


def test_a_channel_manager_defines_previews_and_activates_a_program(client, world):
    client.force_login(world.channel_manager.user)
    response = client.post(url("console:program_create"), FORM)
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        created = Program.objects.get(name="Volume rebate 2026")
    page = client.get(url("console:program", program_id=created.pk), {"volume": "120000"})
    text = page.content.decode()
    assert "applies to all of it: from 0.00 USD: 2 %; from 100,000.00 USD: 4 %" in text
    assert "takes precedence over the bracket rate" in text
    assert "earns 4,800.00 USD" in text  # 120,000 × 4 %
    assert "380,000.00 USD more would reach the next bracket and add 25,200.00 USD" in text
    client.post(url("console:program_activate", program_id=created.pk))
    with tenant_context(world.a.pk):
        assert Program.objects.get(pk=created.pk).status == "active"
    refused = client.post(url("console:program_edit", program_id=created.pk), FORM)
    assert refused.status_code == 400 and b"new version" in refused.content


def test_bad_brackets_are_shown_on_the_form_and_nothing_is_saved(client, world):
    client.force_login(world.channel_manager.user)
    for brackets in ("100000: 4\n0: 2", "0: -1", "from zero two percent"):
        response = client.post(url("console:program_create"), {**FORM, "brackets": brackets})
        assert response.status_code == 400
    with tenant_context(world.a.pk):
        assert not Program.objects.filter(name="Volume rebate 2026").exists()


def test_finance_sees_programs_but_cannot_define_them_and_partners_see_none(client, world):
    client.force_login(world.finance.user)
    assert client.get(url("console:programs")).status_code == 200
    assert client.get(url("console:program_create")).status_code == 403
    client.force_login(world.p_admin.user)
    assert client.get(url("console:programs")).status_code == 403


def test_finance_calculates_approves_and_pays_a_run_through_the_pages(client, world):
    second = make_member(world.a, "finance2@a.test", Role.FINANCE)
    with tenant_context(world.a.pk):
        commission = program("commission", percent=D("10"))
        won(partner("Web firm"), "1000.00")
    client.force_login(world.finance.user)
    response = client.post(
        url("console:payout_run_create", program_id=commission.pk), {"day": "2026-08-01"}
    )
    with tenant_context(world.a.pk):
        run = PayoutRun.objects.get(program=commission)
        assert response.url == url("console:payout_run", run_id=run.pk)
        payout_run_calculate(run_id=run.pk)
    page = client.get(url("console:payout_run", run_id=run.pk)).content.decode()
    assert "Web firm" in page and "100.00 USD" in page
    client.force_login(world.channel_manager.user)
    assert client.post(url("console:payout_run_approve", run_id=run.pk)).status_code == 403
    client.force_login(second.user)
    client.post(url("console:payout_run_approve", run_id=run.pk))
    client.post(
        url("console:payout_run_paid", run_id=run.pk),
        {"paid_on": "2026-10-01", "reference": "WIRE-1"},
    )
    with tenant_context(world.a.pk):
        assert PayoutRun.objects.get(pk=run.pk).status == "paid"


def test_a_missing_rate_is_listed_on_the_run_page(client, world):
    with tenant_context(world.a.pk):
        commission = program("commission", percent=D("10"))
        won(partner("Sterling"), "1000.00", currency="GBP", on=datetime.date(2026, 8, 3))
        run = run_of(commission)
    client.force_login(world.finance.user)
    page = client.get(url("console:payout_run", run_id=run.pk)).content.decode()
    assert "GBP → USD, 08/03/2026" in page  # the short date, in English


@pytest.fixture
def paid_out(world):
    """A commission to P and Q, and a SPIF to P's rep, in approved runs."""
    second = make_member(world.a, "finance2@a.test", Role.FINANCE)
    from incentives.services.runs import payout_run_approve

    with tenant_context(world.a.pk):
        commission = program("commission", percent=D("10"))
        spif = program("spif", fixed_amount=D("50.00"), name="Spiff")
        won(world.p, "1000.00", by=world.p_rep.user)
        won(world.q, "2000.00", by=world.q_rep.user)
        runs = [run_of(commission), run_of(spif)]
        for run in runs:
            payout_run_approve(run=run, by=second)
        return {(p.partner_id, p.person_id): p for run in runs for p in run.payouts.all()}


def test_a_partner_admin_sees_the_own_partners_payouts_only(client, world, paid_out):
    client.force_login(world.p_admin.user)
    page = client.get(url("portal:earnings"))
    shown = list(page.context["payouts"])
    assert {p.partner_id for p in shown} == {world.p.pk}
    assert {p.pk for (partner_id, _), p in paid_out.items() if partner_id == world.p.pk} <= {
        p.pk for p in shown
    }
    q_payout = paid_out[(world.q.pk, None)]
    assert client.get(url("portal:my_payout", payout_id=q_payout.pk)).status_code == 404
    own = paid_out[(world.p.pk, None)]
    assert b"100.00 USD" in client.get(url("portal:my_payout", payout_id=own.pk)).content


def test_a_rep_sees_only_their_own_spif(client, world, paid_out):
    client.force_login(world.p_rep.user)
    shown = {p.pk for p in client.get(url("portal:earnings")).context["payouts"]}
    assert shown == {paid_out[(world.p.pk, world.p_rep.pk)].pk}
    partner_payout = paid_out[(world.p.pk, None)]
    assert client.get(url("portal:my_payout", payout_id=partner_payout.pk)).status_code == 404


def test_the_run_page_costs_the_same_for_3_and_30_payouts(client, world):
    client.force_login(world.finance.user)
    counts = []
    for size in (3, 30):
        with tenant_context(world.a.pk):
            commission = program("commission", percent=D("10"), name=f"Size {size}")
            for n in range(size):
                won(partner(f"Firm {size}-{n}"), "100.00")
            run = run_of(commission)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("console:payout_run", run_id=run.pk)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_partner_page_shows_the_estimate_and_the_next_bracket(client, world):
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    with tenant_context(world.a.pk):
        program(starts_on=dt.date(today.year, 1, 1), ends_on=dt.date(today.year, 12, 31))
        won(world.p, "60000.00", on=today)
    client.force_login(world.p_admin.user)
    text = client.get(url("portal:earnings")).content.decode()
    assert "1,200.00 USD" in text  # 60,000 × 2 %
    assert "You need 40,000.00 USD more" in text and "2,800.00 USD" in text  # 4,000 − 1,200
    client.force_login(world.channel_manager.user)
    text = client.get(url("console:partner_earnings", partner_id=world.p.pk)).content.decode()
    assert "1,200.00 USD" in text


def test_the_payout_page_costs_the_same_for_3_and_30_lines(client, world):
    client.force_login(world.finance.user)
    counts = []
    for size in (3, 30):
        with tenant_context(world.a.pk):
            commission = program("commission", percent=D("10"), name=f"Lines {size}")
            firm = partner(f"Many lines {size}")
            for _n in range(size):
                won(firm, "100.00")
            payout = run_of(commission).payouts.get(partner=firm)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("console:payout", payout_id=payout.pk))
        assert response.status_code == 200 and b"Program rate: 10 %" in response.content
        counts.append(len(queries))
    assert counts[0] == counts[1]
