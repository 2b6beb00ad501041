"""Payout runs as documents: one open run per period, budget decisions,
four-eyes approval, payments recorded once, and approved runs that nothing can
change; program rules refused when they make no program."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from incentives.brackets import Bracket
from incentives.models import Payout, PayoutItem, PayoutPayment, PayoutRun
from incentives.program_rules import ProgramTerms
from incentives.services.exchange_rates import exchange_rate_set
from incentives.services.programs import program_create, program_new_version, program_update
from incentives.services.runs import (
    payout_mark_paid,
    payout_run_approve,
    payout_run_budget_decide,
    payout_run_create,
    payout_run_mark_paid,
    payout_run_recalculate,
    payout_runs_schedule,
)
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.incentives.setup_incentives import D, amounts, partner, program, run_of, won
from tests.world import make_member

TODAY = datetime.date(2026, 10, 5)


@pytest.fixture
def second_finance(world):
    return make_member(world.a, "finance2@a.test", Role.FINANCE)


@pytest.fixture
def a(world):
    with tenant_context(world.a.pk):
        yield world


def test_asking_twice_for_a_periods_run_gives_the_same_run(a):
    commission = program("commission", percent=D("10"))
    first = payout_run_create(program=commission, day=datetime.date(2026, 8, 1), by=a.finance)
    second = payout_run_create(program=commission, day=datetime.date(2026, 9, 30), by=a.finance)
    assert first.pk == second.pk
    assert (first.period_start, first.period_end) == (
        datetime.date(2026, 7, 1),
        datetime.date(2026, 9, 30),
    )


def test_a_draft_program_and_dates_outside_it_are_refused(a):
    draft = program("commission", percent=D("10"), activate=False)
    with pytest.raises(ValidationError, match="Activate"):
        payout_run_create(program=draft, day=datetime.date(2026, 8, 1), by=a.finance)
    active = program("commission", percent=D("10"), name="Other")
    with pytest.raises(ValidationError):
        payout_run_create(program=active, day=datetime.date(2027, 2, 1), by=a.finance)


def test_recalculating_a_draft_replaces_its_lines(a):
    commission = program("commission", percent=D("10"))
    firm = partner("Busy")
    won(firm, "1000.00")
    run = run_of(commission)
    won(firm, "500.00")
    payout_run_recalculate(run=run, by=a.finance)
    from incentives.services.runs import payout_run_calculate

    payout_run_calculate(run_id=run.pk)
    run.refresh_from_db()
    assert amounts(run) == {"Busy": D("150.00")}
    assert PayoutItem.objects.filter(run=run).count() == 2
    assert Payout.objects.filter(run=run).count() == 1


def test_above_the_four_eyes_amount_the_preparer_cannot_approve(a, second_finance):
    commission = program("commission", percent=D("10"), four_eyes_above=D("50.00"))
    won(partner("Big"), "1000.00")
    run = run_of(commission, by=a.finance)
    with pytest.raises(ValidationError, match="second person"):
        payout_run_approve(run=run, by=a.finance)
    payout_run_approve(run=run, by=second_finance)
    run.refresh_from_db()
    assert (run.status, run.approved_by_id) == ("approved", second_finance.pk)


def test_below_the_four_eyes_amount_the_preparer_may_approve(a):
    commission = program("commission", percent=D("10"), four_eyes_above=D("500.00"))
    won(partner("Small"), "1000.00")
    run = run_of(commission, by=a.finance)
    assert payout_run_approve(run=run, by=a.finance).status == "approved"


def test_approval_needs_the_finance_policy(a):
    from prm.policies import NotAllowed

    commission = program("commission", percent=D("10"))
    won(partner("Any"), "1000.00")
    run = run_of(commission)
    for member in (a.channel_manager, a.vendor_admin, a.p_admin):
        with pytest.raises(NotAllowed):
            payout_run_approve(run=run, by=member)


def test_a_run_over_budget_waits_for_a_decision_and_pro_rata_loses_no_cent(a, second_finance):
    commission = program("commission", percent=D("10"), budget_cap=D("100.00"))
    for name in ("One", "Two", "Three"):
        won(partner(name), "1000.00")
    run = run_of(commission)
    assert run.over_budget and run.total == D("300.00") and run.budget_left == D("100.00")
    with pytest.raises(ValidationError, match="budget"):
        payout_run_approve(run=run, by=second_finance)
    payout_run_budget_decide(run=run, decision="pro_rata", by=a.finance)
    run.refresh_from_db()
    paid = amounts(run)
    assert sorted(paid.values()) == [D("33.33"), D("33.33"), D("33.34")]
    assert run.total == sum(paid.values()) == D("100.00")
    for payout in run.payouts.all():
        assert payout.total == sum(i.amount for i in payout.items.all())
    assert run.budget_decision == "pro_rata" and run.budget_decided_by_id == a.finance.pk
    payout_run_approve(run=run, by=second_finance)


def test_approving_over_budget_is_recorded(a, second_finance):
    commission = program("commission", percent=D("10"), budget_cap=D("100.00"))
    won(partner("Only"), "2000.00")
    run = run_of(commission)
    payout_run_budget_decide(run=run, decision="over_budget", by=a.finance)
    run = payout_run_approve(run=run, by=second_finance)
    assert (run.total, run.budget_decision) == (D("200.00"), "over_budget")


def test_an_approved_run_cannot_change_through_any_path(a, second_finance):
    commission = program("commission", percent=D("10"))
    won(partner("Frozen"), "1000.00")
    run = run_of(commission)
    payout_run_approve(run=run, by=second_finance)
    with pytest.raises(ValidationError):
        payout_run_recalculate(run=run, by=a.finance)
    with pytest.raises(ValidationError, match="approved already"):
        payout_run_approve(run=run, by=second_finance)
    item = PayoutItem.objects.get(run=run)
    for change in (
        lambda: PayoutItem.objects.filter(pk=item.pk).update(amount=D("1.00")),
        lambda: PayoutItem.objects.filter(pk=item.pk).delete(),
        lambda: Payout.objects.filter(run=run).update(status="nothing"),
        lambda: PayoutRun.objects.filter(pk=run.pk).update(status="draft"),
        lambda: PayoutRun.objects.filter(pk=run.pk).update(total=D("5.00")),
        lambda: PayoutRun.objects.filter(pk=run.pk).delete(),
    ):
        with pytest.raises(IntegrityError, match="approved"), transaction.atomic():
            change()
    assert PayoutItem.objects.get(pk=item.pk).amount == D("100.00")


def test_payments_are_recorded_once_per_payout(a, second_finance):
    commission = program("commission", percent=D("10"))
    won(partner("First"), "1000.00")
    won(partner("Second"), "2000.00")
    run = run_of(commission)
    first = run.payouts.get(partner__name="First")
    with pytest.raises(ValidationError, match="Approve"):
        payout_mark_paid(payout=first, paid_on=TODAY, reference="T-1", by=second_finance)
    payout_run_approve(run=run, by=second_finance)
    payout_mark_paid(payout=first, paid_on=TODAY, reference="T-1", by=second_finance)
    with pytest.raises(ValidationError, match="paid already"):
        payout_mark_paid(payout=first, paid_on=TODAY, reference="T-2", by=second_finance)
    assert payout_run_mark_paid(run=run, paid_on=TODAY, reference="BATCH-7", by=a.finance) == 1
    run.refresh_from_db()
    assert run.status == "paid"
    assert dict(PayoutPayment.objects.values_list("payout__partner__name", "reference")) == {
        "First": "T-1",
        "Second": "BATCH-7",
        a.p.name: "PAY-vendor-a",  # the world's own run
    }
    with pytest.raises(ValidationError, match="paid already"):
        payout_run_mark_paid(run=run, paid_on=TODAY, reference="AGAIN", by=a.finance)


@pytest.mark.parametrize(
    "paid_on, reference, field",
    [
        (None, "R", "paid_on"),
        (datetime.date(2099, 1, 1), "R", "paid_on"),
        (TODAY, " ", "reference"),
    ],
)
def test_a_payment_needs_a_past_date_and_a_reference(a, second_finance, paid_on, reference, field):
    commission = program("commission", percent=D("10"))
    won(partner("Payee"), "1000.00")
    run = payout_run_approve(run=run_of(commission), by=second_finance)
    with pytest.raises(ValidationError) as error:
        payout_run_mark_paid(run=run, paid_on=paid_on, reference=reference, by=a.finance)
    assert field in error.value.message_dict
    assert not PayoutPayment.objects.filter(run=run).exists()


def test_the_schedule_opens_a_run_for_every_ended_period_once(a):
    commission = program("commission", percent=D("10"))
    won(partner("Scheduled"), "1000.00")
    created = payout_runs_schedule(today=datetime.date(2026, 10, 1))
    ours = PayoutRun.objects.filter(pk__in=created, program=commission)
    assert [r.period_start for r in ours] == [
        datetime.date(2026, 7, 1),
        datetime.date(2026, 4, 1),
        datetime.date(2026, 1, 1),
    ]
    assert len(created) == 5  # and Q1, Q2 of the world's own program
    assert payout_runs_schedule(today=datetime.date(2026, 10, 2)) == []
    assert all(r.prepared_by_id is None for r in PayoutRun.objects.filter(program=commission))


TERMS = dict(
    name="Rebate",
    kind="rebate",
    calendar="quarterly",
    starts_on=datetime.date(2026, 1, 1),
    ends_on=datetime.date(2026, 12, 31),
    currency="USD",
    rebate_method="retroactive",
    brackets=(Bracket(D("0"), D("2")), Bracket(D("100000"), D("4"))),
)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"brackets": (Bracket(D("100000"), D("4")), Bracket(D("0"), D("2")))}, "brackets"),
        ({"brackets": (Bracket(D("0"), D("2")), Bracket(D("0"), D("4")))}, "brackets"),
        ({"brackets": (Bracket(D("0"), D("-1")),)}, "brackets"),
        ({"ends_on": datetime.date(2025, 12, 31)}, "ends_on"),
        ({"kind": "commission", "brackets": ()}, "percent"),
        ({"kind": "commission", "brackets": (), "percent": D("-2")}, "percent"),
        ({"currency": "usd"}, "currency"),
        ({"minimum_payout": D("-1")}, "minimum_payout"),
    ],
)
def test_terms_that_make_no_program_are_refused_and_nothing_is_written(a, change, field):
    from incentives.models import Program

    before = Program.objects.count()
    with pytest.raises(ValidationError) as error:
        program_create(terms=ProgramTerms(**{**TERMS, **change}), by=a.channel_manager)
    assert field in error.value.message_dict
    assert Program.objects.count() == before


def test_an_active_programs_rules_change_only_as_a_new_version(a):
    rebate = program()
    changed = ProgramTerms(**{**TERMS, "brackets": (Bracket(D("0"), D("3")),)})
    with pytest.raises(ValidationError, match="new version"):
        program_update(program=rebate, terms=changed, by=a.channel_manager)
    draft = program_new_version(program=rebate, by=a.channel_manager)
    assert (draft.version, draft.family_id, draft.status) == (2, rebate.pk, "draft")
    program_update(program=draft, terms=changed, by=a.channel_manager)
    from incentives.services.programs import program_activate

    program_activate(program=draft, by=a.channel_manager)
    rebate.refresh_from_db()
    assert rebate.status == "closed"
    assert [b.rate for b in rebate.brackets.all()] == [D("2"), D("4"), D("6")]
    assert [b.rate for b in draft.brackets.all()] == [D("3")]


def test_exchange_rates_are_checked(a):
    with pytest.raises(ValidationError) as error:
        exchange_rate_set(
            currency="EU", to_currency="EUR", rate="-1", effective_on=None, by=a.finance
        )
    assert set(error.value.message_dict) == {"currency", "rate", "effective_on"}
    row = exchange_rate_set(
        currency="gbp", to_currency="USD", rate="1.27", effective_on=TODAY, by=a.finance
    )
    again = exchange_rate_set(
        currency="GBP", to_currency="USD", rate="1.28", effective_on=TODAY, by=a.finance
    )
    assert row.pk == again.pk and again.rate == D("1.28")


def test_the_operator_admin_offers_no_way_into_payouts():
    """The admin has no tenant context; payout tables are not registered in it,
    so an approved run cannot be edited there (the trigger would refuse anyway)."""
    from django.contrib import admin

    assert not [m for m in admin.site._registry if m._meta.app_label == "incentives"]
