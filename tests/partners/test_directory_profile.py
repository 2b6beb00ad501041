"""The partner's own profile in the portal: the admin edits, reps read, nobody
reaches another partner's profile."""

from django.urls import reverse

from partners.models import Partner, PartnerStatus, PartnerType
from prm.models import AuditEvent
from prm.tenancy import tenant_context


def _url(world):
    return reverse("portal:profile", kwargs={"tenant_slug": world.a.slug})


def _profile(**overrides) -> dict:
    data = {
        "website": "p.example",
        "regions": "DACH, Benelux",
        "industries": "Retail",
        "strengths": "Fast rollouts",
        "markets": "Mid-sized retailers",
        "certifications_held": "Certified Sales x3",
        "customer_references": "Shoe Palace",
    }
    data.update(overrides)
    return data


def _partner(world, partner) -> Partner:
    with tenant_context(world.a.pk):
        return Partner.objects.get(pk=partner.pk)


def test_partner_admin_edits_the_profile(client, world):
    client.force_login(world.p_admin.user)
    assert client.get(_url(world)).context["form"] is not None
    response = client.post(_url(world), _profile())
    assert response.status_code == 302
    p = _partner(world, world.p)
    assert (p.website, p.regions, p.industries) == (
        "https://p.example",
        ["DACH", "Benelux"],
        ["Retail"],
    )
    assert (p.strengths, p.markets, p.certifications_held, p.customer_references) == (
        "Fast rollouts",
        "Mid-sized retailers",
        "Certified Sales x3",
        "Shoe Palace",
    )
    with tenant_context(world.a.pk):
        event = AuditEvent.objects.get(action="partner.updated", target_id=world.p.pk)
    assert event.actor == world.p_admin.user


def test_program_fields_cannot_be_changed_from_the_portal(client, world):
    client.force_login(world.p_admin.user)
    response = client.post(
        _url(world),
        _profile(
            name="Hijacked", partner_type=PartnerType.DISTRIBUTOR, status="terminated", tier="1"
        ),
    )
    assert response.status_code == 302
    p = _partner(world, world.p)
    assert (p.name, p.partner_type, p.status, p.tier_id) == (
        "Partner P",
        PartnerType.RESELLER,
        PartnerStatus.ACTIVE,
        None,
    )


def test_bad_profile_input_changes_nothing(client, world):
    client.force_login(world.p_admin.user)
    response = client.post(_url(world), _profile(website="not a site", regions="x" * 61))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "website" in errors and "regions" in errors
    p = _partner(world, world.p)
    assert (p.website, p.strengths) == ("", "")


def test_reps_read_the_profile_but_cannot_change_it(client, world):
    with tenant_context(world.a.pk):
        Partner.objects.filter(pk=world.p.pk).update(strengths="Known for speed")
    client.force_login(world.p_rep.user)
    response = client.get(_url(world))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert b"Known for speed" in response.content
    assert client.post(_url(world), _profile()).status_code == 403
    assert _partner(world, world.p).strengths == "Known for speed"


def test_each_partner_sees_only_its_own_profile(client, world):
    with tenant_context(world.a.pk):
        Partner.objects.filter(pk=world.p.pk).update(strengths="P secret sauce")
        Partner.objects.filter(pk=world.q.pk).update(strengths="Q strengths")
    client.force_login(world.q_rep.user)
    response = client.get(_url(world))
    assert response.context["partner"] == world.q
    assert b"Q strengths" in response.content and b"P secret sauce" not in response.content


def test_vendor_staff_use_the_console_not_the_portal_profile(client, world):
    client.force_login(world.vendor_admin.user)
    assert client.get(_url(world)).status_code == 403
    assert client.post(_url(world), _profile()).status_code == 403
