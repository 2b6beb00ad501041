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


def test_partner_people_of_p_get_404_for_the_mdf_rows_of_q(client, world, settings, tmp_path):
    """Q's MDF request (its page, change and withdrawal) and the proof of its
    claim are a 404 for P's people, and P's MDF home lists none of them."""
    from incentives.models import MdfProof
    from prm.tenancy import tenant_context
    from tests.incentives.setup_mdf import approved_request, claim, fund, mdf_program

    settings.MEDIA_ROOT = str(tmp_path)
    with tenant_context(world.a.pk):
        mdf = mdf_program()
        fund(mdf, world.q, "5000.00")
        of_q = approved_request(mdf, world.q_rep, "800.00", title="Q's roadshow")
        proof = MdfProof.objects.get(claim=claim(of_q, world.q_rep, "700.00"))
    own = {"tenant_slug": world.a.slug}
    pages = [
        reverse("portal:mdf_request", kwargs={**own, "request_id": of_q.pk}),
        reverse("portal:mdf_request_edit", kwargs={**own, "request_id": of_q.pk}),
        reverse("portal:mdf_proof", kwargs={**own, "proof_id": proof.pk}),
    ]
    withdraw = reverse("portal:mdf_request_withdraw", kwargs={**own, "request_id": of_q.pk})
    for person in (world.p_admin, world.p_rep):
        client.force_login(person.user)
        for page in pages:
            assert client.get(page).status_code == 404, page
        assert client.post(pages[0], {"amount": "1.00"}).status_code == 404
        assert client.post(withdraw).status_code == 404
        home = client.get(reverse("portal:mdf", kwargs=own))
        assert b"roadshow" not in home.content
    client.force_login(world.q_rep.user)
    assert client.get(pages[0]).status_code == 200
    assert client.get(pages[2]).status_code == 200


def test_partner_people_see_only_their_own_points_and_redemptions(client, world):
    """P's rep sees the own points and redemptions; a guessed id of Q's
    redemption is the same 404 as a missing one; P's admin sees P's people's."""
    from incentives.models import Redemption
    from incentives.services.rewards import redemption_request
    from prm.tenancy import tenant_context
    from tests.incentives.setup_points import give, reward

    with tenant_context(world.a.pk):
        mug = reward(cost=5)
        give(world.q_rep, 10)
        give(world.p_rep, 10)
        of_q = redemption_request(reward=mug, by=world.q_rep)
        of_p = redemption_request(reward=mug, by=world.p_rep)
        missing = Redemption.objects.order_by("-pk").values_list("pk", flat=True).first() + 100

    def detail(pk):
        return reverse(
            "portal:my_redemption", kwargs={"tenant_slug": world.a.slug, "redemption_id": pk}
        )

    listing = reverse("portal:my_redemptions", kwargs={"tenant_slug": world.a.slug})
    history = reverse("portal:points_history", kwargs={"tenant_slug": world.a.slug})
    client.force_login(world.p_rep.user)
    assert client.get(detail(of_p.pk)).status_code == 200
    assert client.get(detail(of_q.pk)).status_code == 404
    assert client.get(detail(missing)).status_code == 404
    assert {r.pk for r in client.get(listing).context["redemptions"]} == {of_p.pk}
    assert {e.membership_id for e in client.get(history).context["entries"]} == {world.p_rep.pk}
    client.force_login(world.p_admin.user)
    assert client.get(detail(of_p.pk)).status_code == 200
    assert client.get(detail(of_q.pk)).status_code == 404
    seen = {e.membership_id for e in client.get(history).context["entries"]}
    assert seen == {world.p_rep.pk, world.p_admin.pk}


def test_a_notification_of_q_is_a_404_for_p_people(client, world):
    from prm.models import Notification
    from prm.tenancy import tenant_context

    with tenant_context(world.a.pk):
        of_q = Notification.objects.create(
            recipient=world.q_rep,
            kind="registration_approved",
            event="ring",
            params={"customer": "Q's customer", "protected_until": ""},
        )
    for person in (world.p_rep, world.p_admin):
        client.force_login(person.user)
        url = reverse(
            "portal:notification_open",
            kwargs={"tenant_slug": world.a.slug, "notification_id": of_q.pk},
        )
        assert client.get(url).status_code == 404
        inbox = client.get(reverse("portal:notifications", kwargs={"tenant_slug": world.a.slug}))
        assert "Q&#x27;s customer" not in inbox.content.decode()
        assert "Q's customer" not in inbox.content.decode()
