"""Property: whatever sequence of MDF actions people take — allocate, top up,
reduce, request, approve in full or in part, ask for changes, reject, claim,
approve or reject the claim, expire, pay — every one either happens or is
refused with a clear error, and after every step the fund reconciles with
its ledger and no balance is negative."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from incentives.models import MdfClaim, MdfEntry, MdfRequest, PayoutItem
from incentives.services.mdf_claims import mdf_claim_approve, mdf_claim_reject
from incentives.services.mdf_expiry import mdf_expire
from incentives.services.mdf_funds import mdf_fund_adjust
from incentives.services.mdf_requests import (
    mdf_request_approve,
    mdf_request_ask_changes,
    mdf_request_reject,
    mdf_request_submit,
)
from incentives.services.runs import (
    payout_run_approve,
    payout_run_calculate,
    payout_run_mark_paid,
    payout_run_recalculate,
)
from prm.tenancy import tenant_context
from tests.incentives.setup_incentives import finance, run_of
from tests.incentives.setup_mdf import balances, claim, fund, mdf_program, plan, today
from tests.world import staff

CENT = Decimal("0.01")
amounts = st.integers(min_value=-500, max_value=150_000).map(lambda c: Decimal(c) * CENT)
asks = st.integers(min_value=-100, max_value=60_000).map(lambda c: Decimal(c) * CENT)
funds = st.integers(min_value=10_000, max_value=300_000).map(lambda c: Decimal(c) * CENT)
fractions = st.sampled_from([None, Decimal("0.25"), Decimal("0.5"), Decimal("1"), Decimal("1.5")])
picks = st.integers(min_value=0, max_value=5)
# One step of the partner's and the vendor's day: each part may be left out,
# and each is attempted (and may be refused) in this order, so the actions
# interleave across steps.
steps = st.fixed_dictionaries(
    {
        "adjust": st.one_of(st.none(), asks, asks.map(lambda a: -a)),
        "request": st.one_of(st.none(), st.tuples(asks, st.integers(min_value=-25, max_value=5))),
        "decide": st.one_of(
            st.none(),
            st.tuples(
                st.sampled_from(["approve", "approve", "changes", "reject"]), picks, fractions
            ),
        ),
        "claim": st.tuples(picks, fractions),
        "decide_claim": st.tuples(
            st.sampled_from(["approve", "approve", "reject"]), picks, fractions
        ),
        "expire": st.sampled_from([*[None] * 16, 0, 0, 40, 800]),
        "pay": st.booleans(),
    }
)


def _pick(queryset, index):
    rows = list(queryset.order_by("pk"))
    return rows[index % len(rows)] if rows else None


def _part(amount, fraction):
    if fraction is None:
        return None
    return max((amount * fraction).quantize(CENT), CENT)


def _apply(kind, args, mdf, person) -> str:
    manager = staff()
    if kind == "adjust":
        mdf_fund_adjust(fund=mdf.fund, amount=args, reason="test", by=manager)
    elif kind == "request":
        amount, offset = args
        starts = today() + datetime.timedelta(days=offset)
        mdf_request_submit(program=mdf, plan=plan(str(amount), starts=starts), by=person)
    elif kind == "decide":
        decision, index, fraction = args
        request = _pick(MdfRequest.objects.filter(program=mdf, status="submitted"), index)
        if request is None:
            return "idle"
        if decision == "approve":
            part = _part(request.amount, fraction)
            mdf_request_approve(request=request, amount=part, by=manager)
        elif decision == "changes":
            mdf_request_ask_changes(request=request, question="Why?", by=manager)
        else:
            mdf_request_reject(request=request, reason="No", by=manager)
    elif kind == "claim":
        index, fraction = args
        request = _pick(MdfRequest.objects.filter(program=mdf, status="approved"), index)
        if request is None:
            return "idle"
        part = _part(request.approved_amount, fraction) or request.approved_amount
        claim(request, person, str(part))
    elif kind == "decide_claim":
        decision, index, fraction = args
        waiting = _pick(MdfClaim.objects.filter(program=mdf, status="submitted"), index)
        if waiting is None:
            return "idle"
        if decision == "approve":
            part = _part(waiting.amount, fraction)
            mdf_claim_approve(claim=waiting, amount=part, by=manager)
        else:
            mdf_claim_reject(claim=waiting, reason="No", by=manager)
    elif kind == "expire":
        mdf_expire(today=today() + datetime.timedelta(days=args))
    elif kind == "pay":
        run = run_of(mdf, day=today())
        if run.status == "draft":  # an earlier step's draft: bring it up to date
            payout_run_recalculate(run=run, by=finance())
            payout_run_calculate(run_id=run.pk)
            run.refresh_from_db()
        if run.status != "draft" or run.total == 0:
            return "idle"
        payout_run_approve(run=run, by=finance())
        payout_run_mark_paid(run=run, paid_on=today(), reference="P", by=finance())
    return "done"


def _check(mdf_fund):
    b = balances(mdf_fund)
    assert min(b.values()) >= 0, b
    assert b["allocated"] == (
        b["available"] + b["committed"] + b["claimed"] + b["paid"] + b["expired"]
    ), b
    sums = MdfEntry.objects.filter(fund=mdf_fund).aggregate(
        **{name: Sum(f"d_{name}") for name in b}
    )
    assert b == {name: sums[name] or Decimal("0") for name in b}
    # What is paid is exactly what paid runs paid for this fund's claims.
    paid = PayoutItem.objects.filter(
        kind="mdf_claim", mdf_claim__fund=mdf_fund, payout__payment__isnull=False
    ).aggregate(s=Sum("amount"))["s"] or Decimal("0")
    assert b["paid"] == paid


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(start=funds, sequence=st.lists(steps, min_size=2, max_size=10))
def _property(world, start, sequence):
    with tenant_context(world.a.pk), transaction.atomic():
        mdf = mdf_program(name="Property MDF", calendar="quarterly", claim_window_days=30)
        mdf.fund = fund(mdf, world.p, str(start))
        for step in sequence:
            for kind, args in step.items():
                if args is None or args is False:
                    continue
                try:
                    event(f"{kind} {_apply(kind, args, mdf, world.p_rep)}")
                except ValidationError:
                    event(f"{kind} refused")
                _check(mdf.fund)
        transaction.set_rollback(True)


def test_the_fund_reconciles_after_every_step(world):
    _property(world)
