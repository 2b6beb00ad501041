"""The partner 360 page: every section, only this partner's and tenant's data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import (
    Agreement,
    PartnerOnboardingStep,
    PartnerStatus,
    PartnerStatusChange,
    Tier,
    TierChange,
)
from partners.services.organisations import partner_change_status
from prm.audit import audit_record
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.world import make_member


def _url(world, partner):
    return reverse(
        "console:partner_detail", kwargs={"tenant_slug": world.a.slug, "partner_id": partner.pk}
    )


def test_every_section_shows_this_partners_data(client, world):
    with tenant_context(world.a.pk):
        partner_change_status(
            partner=world.p,
            to_status=PartnerStatus.SUSPENDED,
            reason="Late payments",
            by=world.vendor_admin,
        )
        PartnerOnboardingStep.objects.update(completed_at=datetime.datetime.now(datetime.UTC))
        audit_record(actor=world.vendor_admin.user, action="partner.updated", target=world.q)
    client.force_login(world.finance.user)
    response = client.get(_url(world, world.p))
    assert response.status_code == 200
    overview = response.context["overview"]
    assert overview.partner == world.p
    assert overview.domains == [f"p{world.p.pk}.example"]
    assert [(c.from_status, c.to_status, c.reason) for c in overview.status_history] == [
        (PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED, "Late payments"),
        ("", PartnerStatus.ACTIVE, ""),
    ]
    assert {m.user.email for m in overview.team} == {"admin@p.test", "rep@p.test"}
    assert [(c.to_tier.name, c.status) for c in overview.tier_history] == [("Silver", "applied")]
    assert overview.agreement.agreement.version == 1
    assert overview.agreement.acceptance.user == world.p_admin.user
    assert (overview.onboarding.done, overview.onboarding.total) == (1, 1)
    assert [(k.key, k.value) for k in overview.kpis] == [("nps", 42)]
    # Only events about P, newest first.
    assert [e.action for e in overview.timeline] == ["partner.status_changed"]
    content = response.content.decode()
    for text in ("Late payments", "Silver", "Program agreement v1", "Customer NPS", "rep@p.test"):
        assert text in content
    # Finance reads but does not manage.
    assert response.context["status_form"] is None and response.context["kpi_form"] is None


def test_q_has_none_of_ps_data(client, world):
    client.force_login(world.channel_manager.user)
    overview = client.get(_url(world, world.q)).context["overview"]
    assert overview.domains == []
    assert overview.status_history == []
    assert [m.user.email for m in overview.team] == ["rep@q.test"]
    assert overview.tier_history == []
    assert overview.agreement.acceptance is None
    assert overview.onboarding is None
    assert [(k.key, k.value) for k in overview.kpis] == [("nps", None)]
    assert overview.timeline == []


def test_a_newer_agreement_shows_as_not_accepted(client, world):
    with tenant_context(world.a.pk):
        Agreement.objects.create(title="Program agreement", version=2, body="New terms")
    client.force_login(world.channel_manager.user)
    response = client.get(_url(world, world.p))
    agreement = response.context["overview"].agreement
    assert (agreement.agreement.version, agreement.acceptance) == (2, None)
    assert b"Not accepted" in response.content


def test_another_tenants_partner_is_404(client, world):
    client.force_login(world.vendor_admin.user)
    assert client.get(_url(world, world.b_partner)).status_code == 404


def test_the_timeline_is_limited_to_the_newest_fifty(client, world):
    with tenant_context(world.a.pk):
        for i in range(55):
            audit_record(actor=None, action="partner.updated", target=world.p, n=i)
    client.force_login(world.channel_manager.user)
    timeline = client.get(_url(world, world.p)).context["overview"].timeline
    assert len(timeline) == 50
    assert timeline[0].data["n"] == 54


@pytest.mark.parametrize("who", ["vendor_admin", "finance"])
def test_query_count_does_not_grow_with_the_partners_history(client, world, who):
    client.force_login(getattr(world, who).user)
    url = _url(world, world.p)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    with tenant_context(world.a.pk):
        gold = Tier.objects.create(name="Gold", rank=9)
        for i in range(10):
            make_member(world.a, f"more{i}@p.test", Role.PARTNER_REP, world.p)
            audit_record(actor=world.vendor_admin.user, action="partner.updated", target=world.p)
            PartnerStatusChange.objects.create(
                partner=world.p, from_status="active", to_status="active", by=world.finance.user
            )
        TierChange.objects.create(partner=world.p, to_tier=gold, status="applied")
    assert queries() == before
