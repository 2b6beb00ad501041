"""The partner directory: search, filters, sort, pagination, bad filter values,
isolation and a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import Partner, PartnerDomain, PartnerStatus, PartnerType, Tier
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.world import make_member


def _url(world, **params):
    from urllib.parse import urlencode

    base = reverse("console:partners", kwargs={"tenant_slug": world.a.slug})
    return f"{base}?{urlencode(params)}" if params else base


def _names(response) -> list[str]:
    return [p.name for p in response.context["partners"]]


@pytest.fixture
def catalogue(world):
    """Partners P and Q plus a few with distinct attributes, in tenant A."""
    with tenant_context(world.a.pk):
        gold = Tier.objects.create(name="Gold", rank=5)
        silver = Tier.objects.get(name="Silver")
        Partner.objects.filter(pk=world.p.pk).update(
            tier=silver, country="DE", segment="smb", account_manager=world.channel_manager.user
        )
        acme = Partner.objects.create(
            name="Acme Cloud",
            legal_name="ACME Holdings AG",
            partner_type="marketplace",
            status=PartnerStatus.SUSPENDED,
            country="CH",
            segment="enterprise",
            tier=gold,
        )
        PartnerDomain.objects.create(partner=acme, domain="acme-cloud.example")
        zed = Partner.objects.create(
            name="Zed Partners",
            partner_type=PartnerType.AGENCY,
            status=PartnerStatus.APPLICANT,
            country="AT",
        )
    return {"acme": acme, "zed": zed, "gold": gold, "silver": silver}


def test_everyone_in_the_console_sees_the_directory(client, world, catalogue):
    for who in ("vendor_admin", "channel_manager", "finance"):
        client.force_login(getattr(world, who).user)
        response = client.get(_url(world))
        assert response.status_code == 200
        assert _names(response) == ["Acme Cloud", "Partner P", "Partner Q", "Zed Partners"]


@pytest.mark.parametrize(
    "term, expected",
    [
        ("acme", ["Acme Cloud"]),
        ("HOLDINGS", ["Acme Cloud"]),  # legal name
        ("Cloud.Example", ["Acme Cloud"]),  # domain, any case
        ("https://www.acme-cloud.example/about", ["Acme Cloud"]),  # pasted URL
        ("sales@acme-cloud.example", ["Acme Cloud"]),  # pasted e-mail address
        ("partner", ["Partner P", "Partner Q", "Zed Partners"]),
        ("nothing-like-this", []),
    ],
)
def test_search_by_name_legal_name_or_domain(client, world, catalogue, term, expected):
    client.force_login(world.channel_manager.user)
    assert _names(client.get(_url(world, q=term))) == expected


def test_search_finds_domains_of_the_fill(client, world):
    client.force_login(world.channel_manager.user)
    assert _names(client.get(_url(world, q=f"p{world.p.pk}.example"))) == ["Partner P"]


def test_search_never_finds_another_tenants_partner(client, world):
    client.force_login(world.vendor_admin.user)
    response = client.get(_url(world, q=f"p{world.b_partner.pk}.example"))
    assert _names(response) == []
    assert _names(client.get(_url(world, q="Partner of B"))) == []


def test_filters(client, world, catalogue):
    client.force_login(world.vendor_admin.user)
    cases = [
        ({"partner_type": "marketplace"}, ["Acme Cloud"]),  # a custom type
        ({"partner_type": PartnerType.MSP}, ["Partner Q"]),
        ({"status": PartnerStatus.APPLICANT}, ["Zed Partners"]),
        ({"tier": catalogue["gold"].pk}, ["Acme Cloud"]),
        ({"tier": "null"}, ["Partner Q", "Zed Partners"]),
        ({"country": "DE"}, ["Partner P"]),
        ({"segment": "enterprise"}, ["Acme Cloud"]),
        ({"account_manager": world.channel_manager.user.pk}, ["Partner P"]),
        ({"account_manager": "null"}, ["Acme Cloud", "Partner Q", "Zed Partners"]),
        ({"status": PartnerStatus.ACTIVE, "q": "q"}, ["Partner Q"]),
    ]
    for params, expected in cases:
        response = client.get(_url(world, **params))
        assert response.status_code == 200
        assert not response.context["filter"].errors, params
        assert _names(response) == expected, params


def test_sorting(client, world, catalogue):
    client.force_login(world.vendor_admin.user)
    with tenant_context(world.a.pk):
        Partner.objects.filter(pk=world.q.pk).update(country="")
    cases = {
        "name": ["Acme Cloud", "Partner P", "Partner Q", "Zed Partners"],
        "-name": ["Zed Partners", "Partner Q", "Partner P", "Acme Cloud"],
        # life-cycle order: applicant, onboarding, active, suspended, terminated
        "status": ["Zed Partners", "Partner P", "Partner Q", "Acme Cloud"],
        # by label: Agency, Managed service provider, Marketplace, Reseller / VAR
        "type": ["Zed Partners", "Partner Q", "Acme Cloud", "Partner P"],
        # countries A–Z, partners without one last
        "country": ["Zed Partners", "Acme Cloud", "Partner P", "Partner Q"],
        # highest tier first, partners without a tier last
        "tier": ["Acme Cloud", "Partner P", "Partner Q", "Zed Partners"],
        "newest": ["Zed Partners", "Acme Cloud", "Partner Q", "Partner P"],
    }
    for sort, expected in cases.items():
        assert _names(client.get(_url(world, sort=sort))) == expected, sort


def test_pagination_keeps_filters(client, world):
    with tenant_context(world.a.pk):
        Partner.objects.bulk_create(
            [Partner(name=f"Bulk {i:02d}", partner_type=PartnerType.AGENCY) for i in range(30)]
        )
    client.force_login(world.channel_manager.user)
    first = client.get(_url(world, partner_type=PartnerType.AGENCY))
    page = first.context["page"]
    assert (page.paginator.count, page.paginator.num_pages, len(_names(first))) == (30, 2, 25)
    assert "partner_type=agency" in first.content.decode() and "page=2" in first.content.decode()
    second = client.get(_url(world, partner_type=PartnerType.AGENCY, page=2))
    assert _names(second) == [f"Bulk {i:02d}" for i in range(25, 30)]
    # Out of range or nonsense page numbers land on a real page instead of failing.
    assert client.get(_url(world, page=999)).context["page"].number == 2
    assert client.get(_url(world, page="abc")).context["page"].number == 1


@pytest.mark.parametrize(
    "params, field",
    [
        ({"status": "bogus"}, "status"),
        ({"partner_type": "emperor"}, "partner_type"),
        ({"tier": "abc"}, "tier"),
        ({"account_manager": "x"}, "account_manager"),
        ({"segment": "huge"}, "segment"),
        ({"country": "ZZ"}, "country"),
        ({"sort": "salary"}, "sort"),
    ],
)
def test_bad_filter_values_are_reported_not_fatal(client, world, catalogue, params, field):
    client.force_login(world.channel_manager.user)
    response = client.get(_url(world, q="acme", **params))
    assert response.status_code == 200
    assert field in response.context["filter"].errors
    assert b"Some filters were not understood" in response.content
    # The filters that did validate still apply.
    assert _names(response) == ["Acme Cloud"]


def test_another_tenants_tier_or_staff_is_not_a_valid_filter(client, world):
    with tenant_context(world.b.pk):
        b_tier = Tier.objects.get(name="Silver")
    client.force_login(world.channel_manager.user)
    response = client.get(_url(world, tier=b_tier.pk))
    assert "tier" in response.context["filter"].errors
    response = client.get(_url(world, account_manager=world.b_admin.user.pk))
    assert "account_manager" in response.context["filter"].errors
    response = client.get(_url(world, account_manager=world.p_admin.user.pk))
    assert "account_manager" in response.context["filter"].errors


def test_partner_users_cannot_open_the_directory(client, world):
    client.force_login(world.p_admin.user)
    assert client.get(_url(world)).status_code == 403


def _grow(world, count: int, start: int) -> None:
    with tenant_context(world.a.pk):
        tier = Tier.objects.get(name="Silver")
        for i in range(start, start + count):
            partner = Partner.objects.create(
                name=f"Grown {i}",
                partner_type=PartnerType.RESELLER,
                tier=tier,
                account_manager=world.channel_manager.user,
                country="FR",
            )
            PartnerDomain.objects.bulk_create(
                [
                    PartnerDomain(partner=partner, domain=f"grown{i}.example"),
                    PartnerDomain(partner=partner, domain=f"grown{i}-mail.example"),
                ]
            )
            make_member(world.a, f"grown{i}@a.test", Role.PARTNER_REP, partner)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"sort": "tier", "q": "grown"}])
def test_query_count_does_not_grow_with_rows(client, world, params):
    client.force_login(world.vendor_admin.user)
    url = _url(world, **params)
    _grow(world, 5, 0)
    with_five = _queries(client, url)
    _grow(world, 35, 5)
    response = client.get(url)
    assert len(response.context["partners"]) == 25
    assert response.context["partners"][0].domain_list
    assert _queries(client, url) == with_five


def test_a_nul_character_in_the_search_is_a_form_error(client, world):
    client.force_login(world.channel_manager.user)
    response = client.get(_url(world, q="acme\x00"))
    assert response.status_code == 200
    assert "q" in response.context["filter"].errors
    assert _names(response) == ["Partner P", "Partner Q"]
