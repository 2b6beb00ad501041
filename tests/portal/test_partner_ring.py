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


def test_partner_people_see_only_their_own_payout_statements(client, world, settings, tmp_path):
    """P's admin lists P's statements (the reps' SPIF ones too), P's rep only
    the own SPIF statement; a statement of Q is a 404 for both."""
    from incentives.models import Statement
    from prm.tenancy import tenant_context
    from tests.incentives.setup_statements import spif_and_commission_runs

    settings.MEDIA_ROOT = str(tmp_path)
    with tenant_context(world.a.pk):
        spif_and_commission_runs(world, world.finance)
        of_q = Statement.objects.get(partner=world.q, person=world.q_rep)
    listing = reverse("portal:my_statements", kwargs={"tenant_slug": world.a.slug})
    q_pdf = reverse(
        "portal:my_statement_download",
        kwargs={"tenant_slug": world.a.slug, "statement_id": of_q.pk},
    )
    client.force_login(world.p_admin.user)
    seen = {(s.partner_id, s.person_id) for s in client.get(listing).context["statements"]}
    assert seen == {
        (world.p.pk, None),
        (world.p.pk, world.p_rep.pk),
        (world.p.pk, world.p_admin.pk),
    }
    assert client.get(q_pdf).status_code == 404
    client.force_login(world.p_rep.user)
    seen = {(s.partner_id, s.person_id) for s in client.get(listing).context["statements"]}
    assert seen == {(world.p.pk, world.p_rep.pk)}
    assert client.get(q_pdf).status_code == 404
