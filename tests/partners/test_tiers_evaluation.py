"""Tier evaluation: qualification, promotions, demotions after the grace period,
proposals in reviewed mode, idempotent runs, decisions and manual changes."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.models import (
    KpiDefinition,
    KpiValue,
    Partner,
    PartnerType,
    TierChange,
    TierEvaluation,
    TierPolicy,
    TierRequirement,
)
from partners.services.tier_evaluation import tiers_evaluate
from partners.services.tiers import partner_set_tier, tier_change_decide
from prm.actors import SYSTEM
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.fills.tiers import REVENUE_KPI, build_ladder, set_revenue

DAY = date(2030, 3, 1)


def _evaluate(tenant, on=DAY, by=SYSTEM):
    with tenant_context(tenant.pk):
        return tiers_evaluate(on=on, by=by)


def _place(tenant, partner, tier, since=date(2029, 1, 1)):
    with tenant_context(tenant.pk):
        Partner.objects.filter(pk=partner.pk).update(tier=tier, tier_since=since)


def _partner(tenant, partner) -> Partner:
    with tenant_context(tenant.pk):
        return Partner.objects.select_related("tier").get(pk=partner.pk)


def _evaluation(tenant, partner, on=DAY) -> TierEvaluation:
    with tenant_context(tenant.pk):
        return TierEvaluation.objects.select_related("current_tier", "qualified_tier").get(
            partner=partner, evaluated_on=on
        )


def _changes(tenant, partner, **filters) -> list[TierChange]:
    with tenant_context(tenant.pk):
        return list(
            TierChange.objects.filter(partner=partner, **filters)
            .select_related("from_tier", "to_tier")
            .order_by("pk")
        )


def test_a_partner_meeting_gold_is_proposed_for_gold_in_reviewed_mode(world):
    ladder = build_ladder(world.a, mode="reviewed")
    _place(world.a, world.p, ladder.silver)
    set_revenue(world.a, world.p, 300)  # P has two people

    summary = _evaluate(world.a)

    assert summary.enabled and summary.evaluated == 2
    assert (summary.promote, summary.proposed, summary.applied) == (2, 2, 0)
    evaluation = _evaluation(world.a, world.p)
    assert (evaluation.current_tier, evaluation.qualified_tier, evaluation.outcome) == (
        ladder.silver,
        ladder.gold,
        "promote",
    )
    assert evaluation.metrics == {"active_people": "2", f"kpi:{REVENUE_KPI}": "300"}
    [proposal] = _changes(world.a, world.p, status="proposed")
    assert (proposal.from_tier, proposal.to_tier) == (ladder.silver, ladder.gold)
    assert "Gold" in proposal.reason
    assert _partner(world.a, world.p).tier == ladder.silver  # nothing applied yet
    # Q (one person, no tier) qualifies only for the entry tier.
    [q_proposal] = _changes(world.a, world.q, status="proposed")
    assert (q_proposal.from_tier, q_proposal.to_tier) == (None, ladder.registered)


def test_a_partner_meeting_gold_is_promoted_at_once_in_automatic_mode(world):
    ladder = build_ladder(world.a, mode="automatic")
    _place(world.a, world.p, ladder.silver)
    set_revenue(world.a, world.p, 300)

    summary = _evaluate(world.a)

    assert (summary.promote, summary.applied, summary.proposed) == (2, 2, 0)
    partner = _partner(world.a, world.p)
    assert (partner.tier, partner.tier_since, partner.below_tier_since) == (ladder.gold, DAY, None)
    [change] = _changes(world.a, world.p, status="applied", to_tier=ladder.gold)
    assert change.from_tier == ladder.silver and change.decided_at is not None
    with tenant_context(world.a.pk):
        assert AuditEvent.objects.filter(
            action="partner.tier_changed", target_id=world.p.pk, data__change_id=change.pk
        ).exists()


@pytest.mark.parametrize("mode", ["automatic", "reviewed"])
def test_demotion_waits_for_the_grace_period(world, mode):
    ladder = build_ladder(world.a, mode=mode, grace=30)
    _place(world.a, world.p, ladder.gold)
    set_revenue(world.a, world.p, 100)  # only Silver now

    for offset in (0, 29):
        _evaluate(world.a, on=DAY + timedelta(days=offset))
        partner = _partner(world.a, world.p)
        assert (partner.tier, partner.below_tier_since) == (ladder.gold, DAY)
        assert _evaluation(world.a, world.p, DAY + timedelta(days=offset)).outcome == "grace"
        assert _changes(world.a, world.p, to_tier=ladder.silver) == []

    due = DAY + timedelta(days=30)
    _evaluate(world.a, on=due)
    assert _evaluation(world.a, world.p, due).outcome == "demote"
    partner = _partner(world.a, world.p)
    if mode == "automatic":
        assert (partner.tier, partner.tier_since, partner.below_tier_since) == (
            ladder.silver,
            due,
            None,
        )
        [change] = _changes(world.a, world.p, status="applied", to_tier=ladder.silver)
        assert change.from_tier == ladder.gold
    else:
        assert partner.tier == ladder.gold  # waits for a reviewer
        [proposal] = _changes(world.a, world.p, status="proposed")
        assert (proposal.from_tier, proposal.to_tier) == (ladder.gold, ladder.silver)


def test_qualifying_again_clears_the_grace_period(world):
    ladder = build_ladder(world.a, mode="automatic", grace=30)
    _place(world.a, world.p, ladder.gold)
    set_revenue(world.a, world.p, 100)
    _evaluate(world.a, on=DAY)
    assert _partner(world.a, world.p).below_tier_since == DAY

    set_revenue(world.a, world.p, 300)
    _evaluate(world.a, on=DAY + timedelta(days=10))
    assert _partner(world.a, world.p).below_tier_since is None
    assert _evaluation(world.a, world.p, DAY + timedelta(days=10)).outcome == "keep"

    # Falling short again starts a new grace period from that day.
    set_revenue(world.a, world.p, 100)
    restart = DAY + timedelta(days=20)
    _evaluate(world.a, on=restart)
    _evaluate(world.a, on=restart + timedelta(days=29))
    partner = _partner(world.a, world.p)
    assert (partner.tier, partner.below_tier_since) == (ladder.gold, restart)
    _evaluate(world.a, on=restart + timedelta(days=30))
    assert _partner(world.a, world.p).tier == ladder.silver


def _snapshot(tenant):
    with tenant_context(tenant.pk):
        return {
            "evaluations": sorted(
                TierEvaluation.objects.values_list(
                    "pk",
                    "partner_id",
                    "evaluated_on",
                    "current_tier_id",
                    "qualified_tier_id",
                    "outcome",
                    "metrics",
                )
            ),
            "changes": sorted(
                TierChange.objects.values_list(
                    "pk", "partner_id", "from_tier_id", "to_tier_id", "status", "reason"
                )
            ),
            "partners": sorted(
                Partner.objects.values_list("pk", "tier_id", "tier_since", "below_tier_since")
            ),
            "audit": AuditEvent.objects.filter(action__startswith="partner.tier").count(),
        }


@pytest.mark.parametrize("mode", ["automatic", "reviewed"])
def test_running_twice_leaves_exactly_the_same_rows(world, mode):
    ladder = build_ladder(world.a, mode=mode, grace=0)
    _place(world.a, world.p, ladder.silver)
    set_revenue(world.a, world.p, 300)  # promotion
    _place(world.a, world.q, ladder.gold)  # one person: demotion (no grace)
    with tenant_context(world.a.pk):
        keeper = Partner.objects.create(
            name="Keeper", partner_type=PartnerType.AGENCY, tier=ladder.registered
        )
    first_summary = _evaluate(world.a)
    first = _snapshot(world.a)
    assert (first_summary.promote, first_summary.demote, first_summary.keep) == (1, 1, 1)

    second_summary = _evaluate(world.a)

    assert _snapshot(world.a) == first
    assert (second_summary.promote, second_summary.demote, second_summary.keep) == (1, 1, 1)
    assert _evaluation(world.a, keeper).outcome == "keep"
    with tenant_context(world.a.pk):
        assert TierEvaluation.objects.filter(evaluated_on=DAY).count() == 3
        assert TierChange.objects.filter(status="proposed").count() == (
            2 if mode == "reviewed" else 0
        )


def test_an_approved_proposal_stands_when_the_day_is_evaluated_again(world):
    ladder = build_ladder(world.a, mode="reviewed")
    _place(world.a, world.p, ladder.silver)
    set_revenue(world.a, world.p, 300)
    _evaluate(world.a)
    [proposal] = _changes(world.a, world.p, status="proposed")
    with tenant_context(world.a.pk):
        tier_change_decide(change=proposal, approve=True, by=world.channel_manager)
    before = _snapshot(world.a)
    _evaluate(world.a)
    assert _snapshot(world.a) == before
    assert _evaluation(world.a, world.p).outcome == "promote"


def test_the_open_proposal_follows_the_partner_and_is_withdrawn_when_unwarranted(world):
    ladder = build_ladder(world.a, mode="reviewed")
    _place(world.a, world.p, ladder.silver)
    set_revenue(world.a, world.p, 300)
    _evaluate(world.a, on=DAY)
    [proposal] = _changes(world.a, world.p, status="proposed")
    assert proposal.to_tier == ladder.gold

    set_revenue(world.a, world.p, 1200)
    _evaluate(world.a, on=DAY + timedelta(days=1))
    [retargeted] = _changes(world.a, world.p, status="proposed")
    assert (retargeted.pk, retargeted.to_tier) == (proposal.pk, ladder.platinum)

    set_revenue(world.a, world.p, 100)  # back to Silver: nothing to propose
    summary = _evaluate(world.a, on=DAY + timedelta(days=2))
    assert summary.withdrawn == 1
    assert _changes(world.a, world.p, status="proposed") == []
    withdrawn = _changes(world.a, world.p, pk=proposal.pk)[0]
    assert withdrawn.status == "rejected" and "no longer warranted" in withdrawn.reason


def test_a_decision_applies_once_however_often_it_is_sent(world):
    ladder = build_ladder(world.a, mode="reviewed")
    _place(world.a, world.p, ladder.silver)
    set_revenue(world.a, world.p, 300)
    _evaluate(world.a)
    [proposal] = _changes(world.a, world.p, status="proposed")
    stale_copy = _changes(world.a, world.p, status="proposed")[0]
    by = world.vendor_admin

    with tenant_context(world.a.pk):
        decided = tier_change_decide(change=proposal, approve=True, by=by)
    assert (decided.status, decided.decided_by) == ("applied", by.user)
    with tenant_context(world.a.pk), pytest.raises(ValidationError, match="already decided"):
        tier_change_decide(change=stale_copy, approve=True, by=by)
    with tenant_context(world.a.pk), pytest.raises(ValidationError, match="already decided"):
        tier_change_decide(change=stale_copy, approve=False, by=by, reason="Changed my mind")

    assert _partner(world.a, world.p).tier == ladder.gold
    assert [c.status for c in _changes(world.a, world.p, to_tier=ladder.gold)] == ["applied"]
    with tenant_context(world.a.pk):
        assert (
            AuditEvent.objects.filter(
                action="partner.tier_changed", data__change_id=proposal.pk, actor=by.user
            ).count()
            == 1
        )


def test_rejecting_needs_a_reason_and_a_rejected_demotion_restarts_the_grace_period(world):
    ladder = build_ladder(world.a, mode="reviewed", grace=0)
    _place(world.a, world.p, ladder.gold)
    set_revenue(world.a, world.p, 100)
    _evaluate(world.a)
    [proposal] = _changes(world.a, world.p, status="proposed")
    assert proposal.to_tier == ladder.silver

    with tenant_context(world.a.pk), pytest.raises(ValidationError):
        tier_change_decide(change=proposal, approve=False, by=world.vendor_admin)
    assert _changes(world.a, world.p, status="proposed") == [proposal]

    with tenant_context(world.a.pk):
        tier_change_decide(
            change=proposal, approve=False, by=world.vendor_admin, reason="Big deal closing"
        )
    today = timezone.localdate()
    partner = _partner(world.a, world.p)
    assert (partner.tier, partner.below_tier_since) == (ladder.gold, today)
    rejected = _changes(world.a, world.p, pk=proposal.pk)[0]
    assert rejected.status == "rejected" and rejected.reason.endswith("Big deal closing")


def test_a_manual_change_is_recorded_and_withdraws_the_open_proposal(world):
    ladder = build_ladder(world.a, mode="reviewed")
    set_revenue(world.a, world.p, 300)
    _evaluate(world.a)
    [proposal] = _changes(world.a, world.p, status="proposed")
    by = world.channel_manager

    with tenant_context(world.a.pk):
        with pytest.raises(ValidationError):
            partner_set_tier(partner=world.p, tier=ladder.platinum, by=by, reason="  ")
        change = partner_set_tier(
            partner=world.p, tier=ladder.platinum, by=by, reason="Strategic partner"
        )
        with pytest.raises(ValidationError):
            partner_set_tier(partner=world.p, tier=ladder.platinum, by=by, reason="Again")

    assert (change.status, change.from_tier, change.to_tier, change.decided_by) == (
        "applied",
        None,
        ladder.platinum,
        by.user,
    )
    assert _partner(world.a, world.p).tier == ladder.platinum
    assert _changes(world.a, world.p, pk=proposal.pk)[0].status == "rejected"
    assert _changes(world.a, world.p, status="proposed") == []


@pytest.mark.parametrize("policy", ["disabled", "missing"])
def test_without_an_enabled_policy_nothing_is_evaluated(world, policy):
    ladder = build_ladder(world.a, mode="automatic", enabled=False)
    set_revenue(world.a, world.p, 300)
    if policy == "missing":
        with tenant_context(world.a.pk):
            TierPolicy.objects.all().delete()
    before = _snapshot(world.a)

    summary = _evaluate(world.a)

    assert not summary.enabled and summary.evaluated == 0
    assert _snapshot(world.a) == before
    assert _partner(world.a, world.p).tier is None and ladder.gold is not None


def test_only_active_and_onboarding_partners_are_evaluated(world):
    build_ladder(world.a)
    with tenant_context(world.a.pk):
        Partner.objects.filter(pk=world.q.pk).update(status="suspended")
        Partner.objects.filter(pk=world.p.pk).update(status="onboarding")
    summary = _evaluate(world.a)
    assert summary.evaluated == 1
    with tenant_context(world.a.pk):
        assert set(
            TierEvaluation.objects.filter(evaluated_on=DAY).values_list("partner", flat=True)
        ) == {world.p.pk}


def test_a_requirement_on_a_vanished_metric_cannot_be_met(world):
    ladder = build_ladder(world.a, mode="automatic")
    set_revenue(world.a, world.p, 5000)
    with tenant_context(world.a.pk):
        TierRequirement.objects.create(tier=ladder.platinum, metric="kpi:gone", minimum=0)
    _evaluate(world.a)
    assert _partner(world.a, world.p).tier == ladder.gold


def test_evaluation_stays_inside_its_tenant(world):
    build_ladder(world.a)
    build_ladder(world.b)
    _evaluate(world.a)
    with tenant_context(world.b.pk):
        assert not TierEvaluation.objects.filter(evaluated_on=DAY).exists()
        assert not TierChange.objects.filter(status="proposed").exists()


def _crowd(tenant, ladder, total):
    """Partners up to ``total``: a third without tier (promotion), a third in
    Platinum without the figures (grace), a third in Registered (keep)."""
    with tenant_context(tenant.pk):
        kpi = KpiDefinition.objects.get(key=REVENUE_KPI)
        existing = list(Partner.objects.order_by("pk"))
        extra = [
            Partner(name=f"Crowd {i}", partner_type=PartnerType.AGENCY)
            for i in range(total - len(existing))
        ]
        Partner.objects.bulk_create(extra)
        everyone = existing + extra
        for i, partner in enumerate(everyone):
            partner.tier = [None, ladder.platinum, ladder.registered][i % 3]
        Partner.objects.bulk_update(everyone, ["tier"])
        KpiValue.objects.bulk_create(
            [KpiValue(kpi=kpi, partner=p, value=100 + i) for i, p in enumerate(everyone)]
        )
        assert Partner.objects.count() == total


@pytest.mark.parametrize("mode", ["automatic", "reviewed"])
def test_evaluating_3_or_30_partners_takes_the_same_number_of_queries(world, mode):
    counts = []
    for tenant, total in ((world.a, 3), (world.b, 30)):
        ladder = build_ladder(tenant, mode=mode)
        _crowd(tenant, ladder, total)
        with CaptureQueriesContext(connection) as queries:
            summary = _evaluate(tenant)
        assert summary.evaluated == total
        assert summary.promote == summary.grace == summary.keep == total // 3
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_the_days_earlier_evaluations_are_read_by_an_index_not_the_history(world):
    """A run looks up the day's earlier evaluations by tenant and day; the
    unique (tenant, partner, day) index cannot seek on the day, so without an
    index leading with (tenant, day) the lookup reads the whole history."""
    ladder = build_ladder(world.a, mode="reviewed")
    _crowd(world.a, ladder, 6)
    with CaptureQueriesContext(connection) as queries:
        _evaluate(world.a)
    assert any(
        q["sql"].startswith("SELECT") and '"partners_tierevaluation"."evaluated_on" =' in q["sql"]
        for q in queries.captured_queries
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'partners_tierevaluation'"
        )
        definitions = [row[0] for row in cursor.fetchall()]
    assert any("(tenant_id, evaluated_on)" in d for d in definitions), definitions
