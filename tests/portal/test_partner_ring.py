"""Inside one tenant, partner P's people never see partner Q's."""

from django.urls import reverse


def test_rep_of_p_sees_only_p_team(client, world):
    client.force_login(world.p_rep.user)
    response = client.get(reverse("portal:team", kwargs={"tenant_slug": world.a.slug}))
    assert response.status_code == 200
    emails = {m.user.email for m in response.context["members"]}
    assert emails == {world.p_admin.user.email, world.p_rep.user.email}


def test_rep_of_p_gets_404_for_q_member_by_id(client, world):
    client.force_login(world.p_rep.user)
    own = reverse(
        "portal:team_member", kwargs={"tenant_slug": world.a.slug, "member_id": world.p_admin.pk}
    )
    other = reverse(
        "portal:team_member", kwargs={"tenant_slug": world.a.slug, "member_id": world.q_rep.pk}
    )
    vendor = reverse(
        "portal:team_member",
        kwargs={"tenant_slug": world.a.slug, "member_id": world.vendor_admin.pk},
    )
    assert client.get(own).status_code == 200
    assert client.get(other).status_code == 404
    assert client.get(vendor).status_code == 404


def test_rep_of_q_dashboard_counts_only_q(client, world):
    client.force_login(world.q_rep.user)
    response = client.get(reverse("portal:dashboard", kwargs={"tenant_slug": world.a.slug}))
    assert response.context["partner"] == world.q
    assert response.context["team_size"] == 1


def test_vendor_sees_every_partner_of_the_tenant_and_none_of_b(client, world):
    client.force_login(world.channel_manager.user)
    response = client.get(reverse("console:partners", kwargs={"tenant_slug": world.a.slug}))
    assert {p.name for p in response.context["partners"]} == {"Partner P", "Partner Q"}
