"""The tier program in the vendor console: policy, tiers, requirements,
"evaluate now", the proposal queue and a partner's tier history."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners.models import (
    Partner,
    PartnerType,
    Tier,
    TierChange,
    TierEvaluation,
    TierPolicy,
    TierRequirement,
)
from partners.services.tier_evaluation import tiers_evaluate
from partners.services.tiers import partner_set_tier
from prm.actors import SYSTEM
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.fills.tiers import build_ladder, set_revenue


def _url(world, name, **kwargs):
    return reverse(f"console:{name}", kwargs={"tenant_slug": world.a.slug, **kwargs})


def _tiers(world):
    with tenant_context(world.a.pk):
        return list(
            Tier.objects.order_by("rank").values_list(
                "name", "rank", "discount_pct", "mdf_allocation_pct", "content_access"
            )
        )


def _requirements(world):
    with tenant_context(world.a.pk):
        return sorted(TierRequirement.objects.values_list("tier__name", "metric", "minimum"))


TIER_FORM = {
    "name": "Gold",
    "rank": "5",
    "discount_pct": "15",
    "rebate_multiplier": "1.25",
    "mdf_allocation_pct": "4",
    "protection_days": "90",
    "content_access": "sales,technical",
}


# --- the program page and policy -------------------------------------------------------


@pytest.mark.parametrize("who", ["vendor_admin", "channel_manager", "finance"])
def test_every_vendor_role_reads_the_program(client, world, who):
    ladder = build_ladder(world.a)
    client.force_login(getattr(world, who).user)
    response = client.get(_url(world, "tiers"))
    assert response.status_code == 200
    assert [t.name for t in response.context["tiers"]] == [
        "Registered",
        "Silver",
        "Gold",
        "Platinum",
    ]
    assert b"Active people" in response.content
    assert response.context["can_edit"] == (who == "vendor_admin")
    page = client.get(_url(world, "tier_edit", tier_id=ladder.gold.pk))
    assert page.status_code == 200 and b"Revenue (k)" in page.content


def test_vendor_admin_saves_the_policy(client, world):
    client.force_login(world.vendor_admin.user)
    response = client.post(
        _url(world, "tiers"), {"enabled": "on", "mode": "automatic", "demotion_grace_days": "45"}
    )
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        policy = TierPolicy.objects.get()
        assert (policy.enabled, policy.mode, policy.demotion_grace_days) == (True, "automatic", 45)
        assert AuditEvent.objects.filter(action="tier_policy.saved").exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"mode": "automatic", "demotion_grace_days": "-1"}, "demotion_grace_days"),
        ({"mode": "sometimes", "demotion_grace_days": "10"}, "mode"),
        ({"mode": "reviewed", "demotion_grace_days": "soon"}, "demotion_grace_days"),
    ],
)
def test_bad_policy_input_is_refused_and_changes_nothing(client, world, data, field):
    client.force_login(world.vendor_admin.user)
    response = client.post(_url(world, "tiers"), data)
    assert response.status_code == 400
    assert response.context["form"].errors.get(field)
    with tenant_context(world.a.pk):
        policy = TierPolicy.objects.get()
        assert (policy.enabled, policy.mode, policy.demotion_grace_days) == (True, "reviewed", 90)


@pytest.mark.parametrize(
    "who, name, kwargs",
    [
        ("channel_manager", "tiers", {}),
        ("finance", "tiers", {}),
        ("channel_manager", "tier_create", {}),
        ("channel_manager", "tiers_evaluate", {}),
        ("finance", "tier_change_decide", {"change_id": None}),
    ],
)
def test_only_the_right_roles_may_write(client, world, who, name, kwargs):
    with tenant_context(world.a.pk):
        change = TierChange.objects.first()
    kwargs = {k: change.pk for k in kwargs}
    client.force_login(getattr(world, who).user)
    before = (_tiers(world), _requirements(world))
    data = {**TIER_FORM, "enabled": "", "mode": "automatic", "demotion_grace_days": "1"}
    assert client.post(_url(world, name, **kwargs), data).status_code == 403
    assert (_tiers(world), _requirements(world)) == before


# --- tiers and requirements ---------------------------------------------------------------


def test_vendor_admin_adds_edits_and_deletes_a_tier(client, world):
    client.force_login(world.vendor_admin.user)
    response = client.post(_url(world, "tier_create"), TIER_FORM)
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        tier = Tier.objects.get(name="Gold")
    assert response["Location"] == _url(world, "tier_edit", tier_id=tier.pk)
    assert (tier.rank, tier.discount_pct, tier.rebate_multiplier, tier.protection_days) == (
        5,
        Decimal("15.00"),
        Decimal("1.250"),
        90,
    )
    assert tier.content_access == ["sales", "technical"]

    edit = client.post(
        _url(world, "tier_edit", tier_id=tier.pk), {**TIER_FORM, "name": "Gold+", "rank": "6"}
    )
    assert edit.status_code == 302
    with tenant_context(world.a.pk):
        tier.refresh_from_db()
    assert (tier.name, tier.rank) == ("Gold+", 6)

    assert client.post(_url(world, "tier_delete", tier_id=tier.pk)).status_code == 302
    with tenant_context(world.a.pk):
        assert not Tier.objects.filter(pk=tier.pk).exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"rank": "1"}, "rank"),  # the world's Silver has rank 1
        ({"name": "silver"}, "name"),
        ({"discount_pct": "100.5"}, "discount_pct"),
        ({"mdf_allocation_pct": "101"}, "mdf_allocation_pct"),
        ({"rebate_multiplier": "-1"}, "rebate_multiplier"),
        ({"rank": "-3"}, "rank"),
        ({"name": "  "}, "name"),
        ({"content_access": "sales,not a tag"}, "content_access"),
    ],
)
def test_bad_tier_input_is_refused_and_changes_nothing(client, world, change, field):
    client.force_login(world.vendor_admin.user)
    before = _tiers(world)
    response = client.post(_url(world, "tier_create"), {**TIER_FORM, **change})
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert _tiers(world) == before


def test_editing_a_tier_onto_another_tiers_rank_is_refused(client, world):
    ladder = build_ladder(world.a)
    client.force_login(world.vendor_admin.user)
    before = _tiers(world)
    response = client.post(
        _url(world, "tier_edit", tier_id=ladder.gold.pk),
        {**TIER_FORM, "rank": str(ladder.silver.rank)},
    )
    assert response.status_code == 400
    assert "rank" in response.context["form"].errors
    assert _tiers(world) == before


def test_a_tier_that_partners_hold_cannot_be_deleted(client, world):
    ladder = build_ladder(world.a)
    with tenant_context(world.a.pk):
        Partner.objects.filter(pk=world.p.pk).update(tier=ladder.gold)
    client.force_login(world.vendor_admin.user)
    response = client.post(_url(world, "tier_delete", tier_id=ladder.gold.pk), follow=True)
    assert b"Partners hold this tier" in response.content
    with tenant_context(world.a.pk):
        assert Tier.objects.filter(pk=ladder.gold.pk).exists()


def test_vendor_admin_adds_and_removes_requirements(client, world):
    ladder = build_ladder(world.a)
    client.force_login(world.vendor_admin.user)
    response = client.post(
        _url(world, "tier_requirement_add", tier_id=ladder.gold.pk),
        {"metric": "profile_complete", "minimum": "1"},
    )
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        requirement = TierRequirement.objects.get(tier=ladder.gold, metric="profile_complete")
    assert requirement.minimum == Decimal("1.00")
    response = client.post(_url(world, "tier_requirement_remove", requirement_id=requirement.pk))
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        assert not TierRequirement.objects.filter(pk=requirement.pk).exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"metric": "active_people", "minimum": "-1"}, "minimum"),
        ({"metric": "won_in_lottery", "minimum": "1"}, "metric"),
        ({"metric": "active_people", "minimum": "3"}, "metric"),  # Gold has it already
        ({"metric": "kpi:revenue_k", "minimum": "lots"}, "minimum"),
    ],
)
def test_bad_requirements_are_refused_and_change_nothing(client, world, data, field):
    ladder = build_ladder(world.a)
    client.force_login(world.vendor_admin.user)
    before = _requirements(world)
    response = client.post(_url(world, "tier_requirement_add", tier_id=ladder.gold.pk), data)
    assert response.status_code == 400
    assert response.context["requirement_form"].errors.get(field)
    assert _requirements(world) == before


def test_custom_kpis_are_offered_as_metrics(client, world):
    ladder = build_ladder(world.a)
    client.force_login(world.vendor_admin.user)
    response = client.get(_url(world, "tier_edit", tier_id=ladder.silver.pk))
    choices = dict(response.context["requirement_form"].fields["metric"].choices)
    assert {"active_people", "kpi:revenue_k", "kpi:nps"} <= set(choices)


# --- evaluation, proposals, history -------------------------------------------------------


def test_evaluate_now_runs_for_this_tenant_and_reports(client, world):
    build_ladder(world.a)
    build_ladder(world.b)
    set_revenue(world.a, world.p, 300)
    client.force_login(world.vendor_admin.user)
    response = client.post(_url(world, "tiers_evaluate"), follow=True)
    assert response.status_code == 200
    assert b"2 partners evaluated" in response.content
    today = timezone.localdate()
    with tenant_context(world.a.pk):
        assert set(
            TierEvaluation.objects.filter(evaluated_on=today).values_list("partner", "outcome")
        ) == {(world.p.pk, "promote"), (world.q.pk, "promote")}
        assert TierChange.objects.filter(status="proposed").count() == 2
    with tenant_context(world.b.pk):
        assert not TierChange.objects.filter(status="proposed").exists()


def test_evaluate_now_says_so_when_tiers_are_off(client, world):
    build_ladder(world.a, enabled=False)
    client.force_login(world.vendor_admin.user)
    response = client.post(_url(world, "tiers_evaluate"), follow=True)
    assert b"switched off" in response.content
    with tenant_context(world.a.pk):
        assert not TierChange.objects.filter(status="proposed").exists()


def _proposals(world, *, extra=0):
    """Evaluate A in reviewed mode with ``extra`` more partners, each proposed."""
    with tenant_context(world.a.pk):
        for i in range(extra):
            Partner.objects.create(name=f"Extra {i}", partner_type=PartnerType.AGENCY)
        tiers_evaluate(on=timezone.localdate(), by=SYSTEM)
        return list(TierChange.objects.filter(status="proposed").order_by("pk"))


@pytest.mark.parametrize("who", ["vendor_admin", "channel_manager"])
def test_a_proposal_is_approved_once_through_the_queue(client, world, who):
    ladder = build_ladder(world.a)
    set_revenue(world.a, world.p, 300)
    proposal = next(c for c in _proposals(world) if c.partner_id == world.p.pk)
    client.force_login(getattr(world, who).user)
    url = _url(world, "tier_change_decide", change_id=proposal.pk)

    first = client.post(url, {"approve": "yes", "reason": "Well earned"})
    second = client.post(url, {"approve": "yes"}, follow=True)

    assert first.status_code == 302
    assert b"already decided" in second.content
    with tenant_context(world.a.pk):
        assert Partner.objects.get(pk=world.p.pk).tier_id == ladder.gold.pk
        proposal.refresh_from_db()
        assert proposal.status == "applied" and proposal.reason.endswith("Well earned")
        assert TierChange.objects.filter(partner=world.p, status="applied").count() == 2
        assert (
            AuditEvent.objects.filter(
                action="partner.tier_changed", data__change_id=proposal.pk
            ).count()
            == 1
        )


def test_rejecting_without_a_reason_is_refused(client, world):
    build_ladder(world.a)
    [proposal, *_] = _proposals(world)
    client.force_login(world.channel_manager.user)
    url = _url(world, "tier_change_decide", change_id=proposal.pk)
    response = client.post(url, {"approve": "no", "reason": " "})
    assert response.status_code == 400
    assert b"Give a reason" in response.content
    bad = client.post(url, {"approve": "maybe"})
    assert bad.status_code == 400
    with tenant_context(world.a.pk):
        proposal.refresh_from_db()
    assert proposal.status == "proposed"
    assert client.post(url, {"approve": "no", "reason": "Not yet"}).status_code == 302
    with tenant_context(world.a.pk):
        proposal.refresh_from_db()
    assert proposal.status == "rejected"


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_the_proposal_queue_uses_a_constant_number_of_queries(client, world):
    build_ladder(world.a)
    client.force_login(world.channel_manager.user)
    _proposals(world)
    few, response = _count_queries(client, _url(world, "tier_proposals"))
    assert len(response.context["proposals"]) == 2
    _proposals(world, extra=12)
    many, response = _count_queries(client, _url(world, "tier_proposals"))
    assert len(response.context["proposals"]) == 14
    assert many == few


def test_the_program_page_uses_a_constant_number_of_queries(client, world):
    ladder = build_ladder(world.a)
    client.force_login(world.vendor_admin.user)
    few, _ = _count_queries(client, _url(world, "tiers"))
    with tenant_context(world.a.pk):
        for i in range(6):
            tier = Tier.objects.create(name=f"Extra {i}", rank=10 + i)
            TierRequirement.objects.create(tier=tier, metric="active_people", minimum=i)
        Partner.objects.filter(pk=world.q.pk).update(tier=ladder.gold)
    many, _ = _count_queries(client, _url(world, "tiers"))
    assert many == few


def test_partner_tier_history_shows_that_partner_only(client, world):
    build_ladder(world.a)
    set_revenue(world.a, world.p, 300)
    _proposals(world)
    client.force_login(world.finance.user)
    response = client.get(_url(world, "partner_tiers", partner_id=world.p.pk))
    assert response.status_code == 200
    assert {c.partner_id for c in response.context["changes"]} == {world.p.pk}
    assert {e.partner_id for e in response.context["evaluations"]} == {world.p.pk}
    assert len(response.context["evaluations"]) == 1  # today's, upserted over the world's
    assert response.context["form"] is None  # finance reads only


def test_a_channel_manager_sets_a_tier_by_hand(client, world):
    ladder = build_ladder(world.a)
    client.force_login(world.channel_manager.user)
    url = _url(world, "partner_tiers", partner_id=world.q.pk)
    bad = client.post(url, {"tier": ladder.gold.pk, "reason": ""})
    assert bad.status_code == 400
    other_tenant = build_ladder(world.b).gold
    assert client.post(url, {"tier": other_tenant.pk, "reason": "x"}).status_code == 400
    with tenant_context(world.a.pk):
        assert Partner.objects.get(pk=world.q.pk).tier_id is None
    response = client.post(url, {"tier": ladder.gold.pk, "reason": "Key account"})
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        assert Partner.objects.get(pk=world.q.pk).tier_id == ladder.gold.pk
        change = TierChange.objects.filter(partner=world.q).latest("pk")
    assert (change.status, change.to_tier_id, change.reason) == (
        "applied",
        ladder.gold.pk,
        "Key account",
    )


def test_another_tenants_objects_are_not_found(client, world):
    build_ladder(world.a)
    b_ladder = build_ladder(world.b)
    with tenant_context(world.b.pk):
        tiers_evaluate(on=timezone.localdate(), by=SYSTEM)
        b_change = TierChange.objects.filter(status="proposed").first()
        b_requirement = TierRequirement.objects.first()
    client.force_login(world.vendor_admin.user)
    assert client.get(_url(world, "tier_edit", tier_id=b_ladder.gold.pk)).status_code == 404
    for name, kwargs in [
        ("tier_edit", {"tier_id": b_ladder.gold.pk}),
        ("tier_delete", {"tier_id": b_ladder.gold.pk}),
        ("tier_requirement_add", {"tier_id": b_ladder.gold.pk}),
        ("tier_requirement_remove", {"requirement_id": b_requirement.pk}),
        ("tier_change_decide", {"change_id": b_change.pk}),
        ("partner_tiers", {"partner_id": world.b_partner.pk}),
    ]:
        data = {"approve": "yes", "metric": "active_people", "minimum": "1", **TIER_FORM}
        assert client.post(_url(world, name, **kwargs), data).status_code == 404, name
    with tenant_context(world.b.pk):
        b_change.refresh_from_db()
        assert b_change.status == "proposed"
        assert Tier.objects.filter(pk=b_ladder.gold.pk).exists()
        assert TierRequirement.objects.filter(pk=b_requirement.pk).exists()


def test_partner_users_cannot_reach_the_console_tier_pages(client, world):
    ladder = build_ladder(world.a)
    client.force_login(world.p_admin.user)
    for name, kwargs in [
        ("tiers", {}),
        ("tier_proposals", {}),
        ("tier_edit", {"tier_id": ladder.gold.pk}),
        ("partner_tiers", {"partner_id": world.p.pk}),
    ]:
        assert client.get(_url(world, name, **kwargs)).status_code == 403
    assert client.post(_url(world, "tiers_evaluate")).status_code == 403


def test_partner_tier_history_uses_a_constant_number_of_queries(client, world):
    ladder = build_ladder(world.a)
    set_revenue(world.a, world.p, 300)
    first_day = date(2030, 1, 1)
    with tenant_context(world.a.pk):
        tiers_evaluate(on=first_day, by=SYSTEM)
    client.force_login(world.vendor_admin.user)
    url = _url(world, "partner_tiers", partner_id=world.p.pk)
    few, response = _count_queries(client, url)
    figures = dict(response.context["evaluations"][0].figures)
    assert figures == {"Active people": "2", "Revenue (k)": "300"}
    with tenant_context(world.a.pk):
        for offset, tier in enumerate([ladder.silver, ladder.gold, ladder.platinum], start=1):
            partner_set_tier(
                partner=world.p, tier=tier, by=world.vendor_admin, reason=f"Step {offset}"
            )
            tiers_evaluate(on=first_day + timedelta(days=offset), by=SYSTEM)
    many, response = _count_queries(client, url)
    assert len(response.context["evaluations"]) == 5
    assert len(response.context["changes"]) >= 5
    assert many == few
