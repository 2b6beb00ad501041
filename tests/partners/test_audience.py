"""The audience rule, evaluated in SQL three ways: the portal (one partner
against many announcements), the e-mail fan-out (one announcement against every
partner) and the console's "targeted people" count (each row against every
partner).  All three must agree on every case of the matrix."""

import pytest
from django.utils import timezone

from partners.models import Announcement, Partner, Survey, Tier
from partners.selectors import announcements, audience, surveys
from prm.models import Membership
from prm.tenancy import tenant_context

P_PEOPLE = {"admin@p.test", "rep@p.test"}
Q_PEOPLE = {"rep@q.test"}


@pytest.fixture
def tiers(world):
    """P is Silver, serves EMEA and DACH, small business; Q has no tier, serves
    APAC, enterprise."""
    with tenant_context(world.a.pk):
        silver = Tier.objects.get(name="Silver")
        gold = Tier.objects.create(name="Gold", rank=2)
        Partner.objects.filter(pk=world.p.pk).update(
            tier=silver, regions=["EMEA", "DACH"], segment="smb"
        )
        Partner.objects.filter(pk=world.q.pk).update(regions=["APAC"], segment="enterprise")
    return {"silver": silver.pk, "gold": gold.pk}


CASES = [
    ({}, P_PEOPLE | Q_PEOPLE),
    ({"target_tier_ids": ["silver"]}, P_PEOPLE),
    ({"target_tier_ids": ["gold"]}, set()),
    ({"target_tier_ids": ["silver", "gold"]}, P_PEOPLE),
    ({"target_types": ["reseller"]}, P_PEOPLE),
    ({"target_types": ["msp"]}, Q_PEOPLE),
    ({"target_types": ["reseller", "msp"]}, P_PEOPLE | Q_PEOPLE),
    ({"target_regions": ["DACH", "US"]}, P_PEOPLE),
    ({"target_regions": ["APAC"]}, Q_PEOPLE),
    ({"target_regions": ["LATAM"]}, set()),
    ({"target_segments": ["smb"]}, P_PEOPLE),
    ({"target_segments": ["enterprise", "smb"]}, P_PEOPLE | Q_PEOPLE),
    ({"target_segments": ["public_sector"]}, set()),
    ({"target_tier_ids": ["silver"], "target_types": ["msp"]}, set()),
    ({"target_types": ["reseller", "msp"], "target_regions": ["APAC"]}, Q_PEOPLE),
]


def _resolve(targets: dict, tiers: dict) -> dict:
    resolved = dict(targets)
    if "target_tier_ids" in resolved:
        resolved["target_tier_ids"] = [tiers[name] for name in resolved["target_tier_ids"]]
    return resolved


@pytest.mark.parametrize("targets, expected", CASES)
def test_audience_matrix(world, tiers, targets, expected):
    with tenant_context(world.a.pk):
        announcement = Announcement.objects.create(
            title="Targeted", body="x", published_at=timezone.now(), **_resolve(targets, tiers)
        )
        fresh = {
            m.pk: m for m in Membership.objects.select_related("partner_link__partner", "user")
        }
        portal = {
            fresh[m.pk].user.email
            for m in (world.p_admin, world.p_rep, world.q_rep)
            if announcements.announcements_for_partner(membership=fresh[m.pk])
            .filter(pk=announcement.pk)
            .exists()
        }
        fan_out = set(audience.audience_members(announcement).values_list("user__email", flat=True))
        counted = (
            announcements.announcement_list_console(membership=world.vendor_admin)
            .get(pk=announcement.pk)
            .targeted_count
        )
    assert portal == expected
    assert fan_out == expected
    assert counted == len(expected)


def test_surveys_use_the_same_rule(world, tiers):
    with tenant_context(world.a.pk):
        for_q = Survey.objects.create(title="For MSPs", is_open=True, target_types=["msp"])
        for_p = Survey.objects.create(title="DACH", is_open=True, target_regions=["DACH"])
        p_rep = Membership.objects.select_related("partner_link__partner").get(pk=world.p_rep.pk)
        q_rep = Membership.objects.select_related("partner_link__partner").get(pk=world.q_rep.pk)
        seen_by_p = set(surveys.surveys_for_partner(membership=p_rep).values_list("pk", flat=True))
        seen_by_q = set(surveys.surveys_for_partner(membership=q_rep).values_list("pk", flat=True))
    assert for_p.pk in seen_by_p and for_q.pk not in seen_by_p
    assert for_q.pk in seen_by_q and for_p.pk not in seen_by_q


def test_inactive_people_and_terminated_partners_are_not_addressed(world):
    with tenant_context(world.a.pk):
        announcement = Announcement.objects.create(
            title="All", body="x", published_at=timezone.now()
        )
        Membership.objects.filter(pk=world.p_rep.pk).update(is_active=False)
        Partner.objects.filter(pk=world.q.pk).update(status="terminated")
        emails = set(audience.audience_members(announcement).values_list("user__email", flat=True))
    assert emails == {"admin@p.test"}


def test_vendor_people_are_never_in_an_audience(world):
    with tenant_context(world.a.pk):
        announcement = Announcement.objects.create(title="All", body="x")
        roles = set(audience.audience_members(announcement).values_list("role", flat=True))
    assert roles == {"partner_admin", "partner_rep"}
