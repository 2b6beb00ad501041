"""CSV export of the directory's current result (written by a worker, downloaded)."""

from django.urls import reverse

from partners.models import Partner, PartnerDomain, PartnerStatus, PartnerType, Tier
from prm.tenancy import tenant_context
from tests.exporting import export_rows


def _export(client, world, **params) -> list[dict]:
    return export_rows(client, world.a, "console:partners_export", **params)


def test_export_holds_exactly_this_tenants_partners(client, world):
    with tenant_context(world.a.pk):
        Partner.objects.filter(pk=world.p.pk).update(
            regions=["DACH", "Nordics"],
            industries=["Retail"],
            country="DE",
            segment="smb",
            account_manager=world.channel_manager.user,
            tier=Tier.objects.get(name="Silver"),
        )
        PartnerDomain.objects.create(partner=world.p, domain="zeta-p.example")
    client.force_login(world.finance.user)
    rows = _export(client, world)
    assert [row["name"] for row in rows] == ["Partner P", "Partner Q"]
    p = rows[0]
    assert p["domains"] == f"p{world.p.pk}.example;zeta-p.example"
    assert (p["regions"], p["industries"], p["country"], p["segment"]) == (
        "DACH;Nordics",
        "Retail",
        "DE",
        "smb",
    )
    assert (p["partner_type"], p["status"], p["tier"], p["people"]) == (
        PartnerType.RESELLER,
        PartnerStatus.ACTIVE,
        "Silver",
        "2",
    )
    assert p["account_manager_email"] == world.channel_manager.user.email


def test_export_follows_the_filters_and_sort(client, world):
    with tenant_context(world.a.pk):
        Partner.objects.create(name="Another MSP", partner_type=PartnerType.MSP)
    client.force_login(world.channel_manager.user)
    rows = _export(client, world, partner_type=PartnerType.MSP, sort="-name", page=1)
    assert [row["name"] for row in rows] == ["Partner Q", "Another MSP"]
    rows = _export(client, world, q="nothing matches this")
    assert rows == []


def test_cells_that_look_like_formulas_are_neutralised(client, world):
    with tenant_context(world.a.pk):
        Partner.objects.create(name="=HYPERLINK(1)", partner_type=PartnerType.MSP)
    client.force_login(world.channel_manager.user)
    rows = _export(client, world, q="hyperlink")
    assert rows[0]["name"] == "'=HYPERLINK(1)"


def test_partner_users_cannot_export(client, world):
    client.force_login(world.p_admin.user)
    url = reverse("console:partners_export", kwargs={"tenant_slug": world.a.slug})
    assert client.post(url).status_code == 403
