"""The partner portal's "what you need for the next tier" page: live figures of
the partner's own organisation only."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import Partner, PartnerType, TierPolicy
from partners.selectors.tiers import progress_percent
from prm.tenancy import tenant_context
from tests.fills.tiers import build_ladder, set_revenue
from tests.world import make_member


def _url(world):
    return reverse("portal:tier_progress", kwargs={"tenant_slug": world.a.slug})


def _place(world, partner, tier):
    with tenant_context(world.a.pk):
        Partner.objects.filter(pk=partner.pk).update(tier=tier)


def _rows(standing):
    return [(r.metric, r.value, r.minimum, r.percent, r.met) for r in standing.requirements]


def test_p_sees_its_tier_the_next_one_and_its_own_progress(client, world):
    ladder = build_ladder(world.a)
    _place(world, world.p, ladder.silver)
    set_revenue(world.a, world.p, 100)
    set_revenue(world.a, world.q, 900)
    client.force_login(world.p_rep.user)

    response = client.get(_url(world))

    assert response.status_code == 200
    progress = response.context["progress"]
    assert progress.partner == world.p
    assert progress.current.tier == ladder.silver and progress.next.tier == ladder.gold
    assert _rows(progress.next) == [
        ("active_people", Decimal(2), Decimal(2), Decimal(100), True),
        ("kpi:revenue_k", Decimal(100), Decimal(250), Decimal(40), False),
    ]
    assert all(isinstance(r.percent, Decimal) for r in progress.next.requirements)
    content = response.content.decode()
    assert "Next: Gold" in content and "Revenue (k)" in content and "40 %" in content
    assert "900" not in content  # Q's figure


def test_q_sees_q_figures_and_live_changes(client, world):
    ladder = build_ladder(world.a)
    set_revenue(world.a, world.p, 5000)
    client.force_login(world.q_rep.user)

    progress = client.get(_url(world)).context["progress"]
    assert progress.partner == world.q
    assert progress.current is None and progress.next.tier == ladder.registered
    assert progress.next.requirements == []

    _place(world, world.q, ladder.registered)
    make_member(world.a, "second@q.test", "partner_rep", world.q)
    progress = client.get(_url(world)).context["progress"]
    assert progress.next.tier == ladder.silver
    assert _rows(progress.next) == [("active_people", Decimal(2), Decimal(2), Decimal(100), True)]


def test_progress_is_capped_at_100_percent(client, world):
    ladder = build_ladder(world.a)
    _place(world, world.p, ladder.gold)
    set_revenue(world.a, world.p, 2500)
    client.force_login(world.p_admin.user)
    progress = client.get(_url(world)).context["progress"]
    assert progress.next.tier == ladder.platinum
    assert _rows(progress.next)[1] == (
        "kpi:revenue_k",
        Decimal(2500),
        Decimal(1000),
        Decimal(100),
        True,
    )


@pytest.mark.parametrize(
    "value, minimum, expected",
    [("0", "250", "0"), ("249.99", "250", "99"), ("250", "250", "100"), ("7", "0", "100")],
)
def test_progress_percent(value, minimum, expected):
    assert progress_percent(Decimal(value), Decimal(minimum)) == Decimal(expected)


def test_the_top_tier_has_nothing_above(client, world):
    ladder = build_ladder(world.a)
    _place(world, world.p, ladder.platinum)
    client.force_login(world.p_rep.user)
    response = client.get(_url(world))
    assert response.context["progress"].next is None
    assert b"There is no tier above yours" in response.content


def test_a_partner_short_of_its_tier_is_told_when_demotion_is_due(client, world):
    from datetime import date

    ladder = build_ladder(world.a, grace=30)
    with tenant_context(world.a.pk):
        Partner.objects.filter(pk=world.p.pk).update(
            tier=ladder.gold, below_tier_since=date(2030, 1, 1)
        )
    client.force_login(world.p_rep.user)
    response = client.get(_url(world))
    progress = response.context["progress"]
    assert (progress.short_since, progress.demotion_due) == (date(2030, 1, 1), date(2030, 1, 31))
    assert not progress.current.met
    assert b"short of this tier" in response.content


@pytest.mark.parametrize("policy", ["disabled", "missing"])
def test_without_tiers_the_page_says_so(client, world, policy):
    build_ladder(world.a, enabled=False)
    if policy == "missing":
        with tenant_context(world.a.pk):
            TierPolicy.objects.all().delete()
    client.force_login(world.p_rep.user)
    response = client.get(_url(world))
    assert response.status_code == 200
    assert response.context["progress"].enabled is False
    assert b"no partner tiers" in response.content


def test_the_page_is_a_fixed_number_of_queries(client, world):
    ladder = build_ladder(world.a)
    _place(world, world.p, ladder.silver)
    client.force_login(world.p_rep.user)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url(world)).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    with tenant_context(world.a.pk):
        for i in range(10):
            Partner.objects.create(name=f"Other {i}", partner_type=PartnerType.AGENCY)
    assert count() == few


def test_vendor_users_and_other_tenants_cannot_open_it(client, world):
    build_ladder(world.a)
    client.force_login(world.channel_manager.user)
    assert client.get(_url(world)).status_code == 403
    client.force_login(world.b_rep.user)
    assert client.get(_url(world)).status_code == 404
