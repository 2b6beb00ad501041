"""The points pages: each side sees what it may (the partner ring: P's people
never see Q's points, entries, redemptions or a withdrawn reward's image),
forms call the services, and lists cost the same queries for 3 rows as for 30."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incentives.models import PointsEntry, Redemption, Reward
from incentives.services.rewards import redemption_request
from partners.models import PartnerMembership
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.incentives.setup_incentives import partner
from tests.incentives.setup_points import balance_of, give, png, reward
from tests.world import make_member


def url(world, name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": world.a.slug, **kwargs})


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def redeemed(world, media):
    """P's rep and Q's rep each redeemed a reward with an image."""
    with tenant_context(world.a.pk):
        mug = reward(cost=10, image=png())
        give(world.p_rep, 100)
        give(world.q_rep, 100)
        of_p = redemption_request(reward=mug, by=world.p_rep)
        of_q = redemption_request(reward=mug, by=world.q_rep)
    return mug, of_p, of_q


def test_partner_people_never_see_another_partners_redemptions(client, world, redeemed):
    mug, of_p, of_q = redeemed
    client.force_login(world.p_rep.user)
    own = client.get(url(world, "portal:my_redemption", redemption_id=of_p.pk))
    assert own.status_code == 200
    assert client.get(url(world, "portal:my_redemption", redemption_id=of_q.pk)).status_code == 404
    assert client.get(url(world, "portal:my_redemption", redemption_id=99999)).status_code == 404
    listed = client.get(url(world, "portal:my_redemptions")).context["redemptions"]
    assert [r.pk for r in listed] == [of_p.pk]
    history = client.get(url(world, "portal:points_history")).context["entries"]
    assert {e.membership_id for e in history} == {world.p_rep.pk}
    # The catalogue's image is served to partner people by the authorised view.
    image = client.get(url(world, "portal:my_reward_image", reward_id=mug.pk))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    # Q's person may not redeem a reward for P's points nor decide anything.
    client.force_login(world.q_rep.user)
    assert client.get(url(world, "portal:my_redemption", redemption_id=of_p.pk)).status_code == 404


def test_a_withdrawn_rewards_image_is_404_for_partner_people(client, world, redeemed):
    mug, _of_p, _of_q = redeemed
    with tenant_context(world.a.pk):
        Reward.objects.filter(pk=mug.pk).update(is_active=False)
    client.force_login(world.p_rep.user)
    assert client.get(url(world, "portal:my_reward_image", reward_id=mug.pk)).status_code == 404
    assert client.post(url(world, "portal:reward_redeem", reward_id=mug.pk)).status_code == 404
    client.force_login(world.channel_manager.user)
    assert client.get(url(world, "console:reward_image", reward_id=mug.pk)).status_code == 200


def test_a_partner_admin_sees_the_teams_points_a_rep_only_their_own(client, world, redeemed):
    client.force_login(world.p_admin.user)
    page = client.get(url(world, "portal:my_points"))
    assert {row.membership_id for row in page.context["team"]} >= {world.p_rep.pk}
    assert world.q_rep.pk not in {row.membership_id for row in page.context["team"]}
    listed = client.get(url(world, "portal:my_redemptions")).context["redemptions"]
    assert {r.partner_id for r in listed} == {world.p.pk}
    client.force_login(world.p_rep.user)
    page = client.get(url(world, "portal:my_points"))
    with tenant_context(world.a.pk):
        assert list(page.context["team"]) == []
    assert page.context["points"].balance == 90 and page.context["points"].held == 10


def test_redeeming_through_the_portal_and_the_refusal_message(client, world, media):
    with tenant_context(world.a.pk):
        cheap, dear = reward(cost=30), reward(cost=300)
        give(world.p_rep, 50)
    client.force_login(world.p_rep.user)
    done = client.post(url(world, "portal:reward_redeem", reward_id=cheap.pk), follow=True)
    assert "Redeemed" in done.content.decode()
    refused = client.post(url(world, "portal:reward_redeem", reward_id=dear.pk), follow=True)
    assert "You have 20 points" in refused.content.decode()
    with tenant_context(world.a.pk):
        assert balance_of(world.p_rep, world.p) == (20, 30)


def test_the_vendor_decides_the_queue(client, world, redeemed):
    _mug, of_p, of_q = redeemed
    client.force_login(world.channel_manager.user)
    queue = client.get(url(world, "console:redemptions"))
    # Oldest first, after the world's own pending redemption.
    assert [r.pk for r in queue.context["redemptions"]][-2:] == [of_p.pk, of_q.pk]
    client.post(url(world, "console:redemption_fulfil", redemption_id=of_p.pk))
    empty = client.post(url(world, "console:redemption_reject", redemption_id=of_q.pk), follow=True)
    assert "Tell the person why" in empty.content.decode()
    client.post(url(world, "console:redemption_reject", redemption_id=of_q.pk), {"reason": "Gone"})
    with tenant_context(world.a.pk):
        assert dict(Redemption.objects.values_list("pk", "status")) == {
            **dict(
                Redemption.objects.exclude(pk__in=[of_p.pk, of_q.pk]).values_list("pk", "status")
            ),
            of_p.pk: "fulfilled",
            of_q.pk: "rejected",
        }
        assert balance_of(world.q_rep, world.q) == (100, 0)
    client.force_login(world.finance.user)
    assert client.get(url(world, "console:redemptions")).status_code == 403


def test_console_forms_create_rules_rewards_settings_and_adjust(client, world, media):
    client.force_login(world.channel_manager.user)
    made = client.post(
        url(world, "console:points_rules"),
        {"event": "deal_won", "points": "10", "per_amount": "1000"},
    )
    assert made.status_code == 302
    bad = client.post(url(world, "console:points_rules"), {"event": "deal_won", "points": "0"})
    assert bad.status_code == 400 and "above zero" in bad.content.decode()
    settings = client.post(
        url(world, "console:points_settings"),
        {"expire_after": "6", "expire_unit": "months", "reminder_days": "10"},
    )
    assert settings.status_code == 302
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'
    from django.core.files.uploadedfile import SimpleUploadedFile

    refused = client.post(
        url(world, "console:rewards"),
        {"name": "Hoodie", "cost": "80", "image": SimpleUploadedFile("h.png", svg)},
    )
    assert refused.status_code == 400 and "not a PNG file" in refused.content.decode()
    added = client.post(
        url(world, "console:rewards"), {"name": "Hoodie", "cost": "80", "image": png()}
    )
    assert added.status_code == 302
    adjusted = client.post(
        url(world, "console:partner_points", partner_id=world.p.pk),
        {"person": world.p_rep.pk, "points": "25", "reason": "Trade show help"},
    )
    assert adjusted.status_code == 302
    # A person of another partner is not a choice on P's page.
    other = client.post(
        url(world, "console:partner_points", partner_id=world.p.pk),
        {"person": world.q_rep.pk, "points": "25", "reason": "x"},
    )
    assert other.status_code == 400
    with tenant_context(world.a.pk):
        assert balance_of(world.p_rep, world.p) == (25, 0)
        assert balance_of(world.q_rep, world.q) == (0, 0)
        assert Reward.objects.filter(name="Hoodie").count() == 1
    for name in ("console:points_rules", "console:rewards", "console:points_liability"):
        assert client.get(url(world, name)).status_code == 200
    client.force_login(world.finance.user)
    assert client.get(url(world, "console:points_rules")).status_code == 403


def test_the_liability_is_the_sum_of_balances_per_partner(client, world):
    with tenant_context(world.a.pk):
        give(world.p_rep, 100)
        give(world.p_admin, 30)
        give(world.q_rep, 5)
    client.force_login(world.vendor_admin.user)
    rows = client.get(url(world, "console:points_liability")).context["rows"]
    # P's admin also holds the world's 70 points (and 30 held).
    assert {(r["partner__name"], r["points"], r["held_points"], r["people"]) for r in rows} == {
        ("Partner P", 200, 30, 2),
        ("Partner Q", 5, 0, 1),
    }


# --- the cost of the lists ---------------------------------------------------------------


def _queries(client, page_url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page_url).status_code == 200
    return len(queries)


def _activity(world, n: int, tag: str) -> None:
    """``n`` partners with one person each holding points and a pending
    redemption, plus ``n`` entries of P's rep."""
    with tenant_context(world.a.pk):
        mug = reward(cost=1, name=f"Mug {tag}")
        for i in range(n):
            firm = partner(f"Firm {tag}{i}")
            person = make_member(world.a, f"rep{tag}{i}@x.test", Role.PARTNER_REP, firm)
            give(person, 5)
            redemption_request(reward=mug, by=person)
            give(world.p_rep, 1, reason=f"{tag}{i}")
            redemption_request(reward=mug, by=world.p_rep)


def test_the_lists_cost_the_same_for_3_and_30_rows(client, world):
    pages = {
        "vendor": ["console:redemptions", "console:points_liability", "console:rewards"],
        "rep": ["portal:points_history", "portal:my_redemptions", "portal:reward_catalogue"],
    }
    _activity(world, 3, "a")
    client.force_login(world.channel_manager.user)
    small = {name: _queries(client, url(world, name)) for name in pages["vendor"]}
    client.force_login(world.p_rep.user)
    small.update({name: _queries(client, url(world, name)) for name in pages["rep"]})
    _activity(world, 27, "b")
    with tenant_context(world.a.pk):
        assert PointsEntry.objects.filter(membership=world.p_rep).count() >= 60
        assert PartnerMembership.objects.count() >= 30
    client.force_login(world.channel_manager.user)
    large = {name: _queries(client, url(world, name)) for name in pages["vendor"]}
    client.force_login(world.p_rep.user)
    large.update({name: _queries(client, url(world, name)) for name in pages["rep"]})
    assert large == small
