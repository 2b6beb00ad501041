"""The base UI: every page renders for its roles, right-to-left works, error
pages render, settings reject bad input, and list pages keep a constant number
of queries."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from partners.models import Partner, PartnerType
from prm.models import Tenant
from prm.tenancy import tenant_context
from tests.world import make_member


def _url(name, world, **kwargs):
    return reverse(name, kwargs={"tenant_slug": world.a.slug, **kwargs})


@pytest.mark.parametrize(
    "who, name, kwargs",
    [
        ("vendor_admin", "console:dashboard", {}),
        ("vendor_admin", "console:partners", {}),
        ("vendor_admin", "console:team", {}),
        ("vendor_admin", "console:settings", {}),
        ("channel_manager", "console:partners", {}),
        ("finance", "console:dashboard", {}),
        ("p_admin", "portal:dashboard", {}),
        ("p_rep", "portal:team", {}),
    ],
)
def test_pages_render_for_their_roles(client, world, who, name, kwargs):
    client.force_login(getattr(world, who).user)
    response = client.get(_url(name, world, **kwargs))
    assert response.status_code == 200
    assert world.a.name.encode() in response.content


def test_partner_detail_renders(client, world):
    client.force_login(world.channel_manager.user)
    response = client.get(_url("console:partner_detail", world, partner_id=world.p.pk))
    assert response.status_code == 200
    assert b"Partner P" in response.content
    assert {m.user.email for m in response.context["team"]} == {"admin@p.test", "rep@p.test"}


def test_right_to_left_languages_flip_the_layout(client, world):
    client.force_login(world.p_rep.user)
    client.post(reverse("set_language"), {"language": "ar"})
    response = client.get(_url("portal:dashboard", world))
    assert b'dir="rtl"' in response.content and b'lang="ar"' in response.content
    client.post(reverse("set_language"), {"language": "en"})
    assert b'dir="ltr"' in client.get(_url("portal:dashboard", world)).content


def test_tenant_switcher_lists_only_my_programs(client, world):
    make_member(world.b, world.p_admin.user.email, "partner_admin", world.b_partner)
    client.force_login(world.p_admin.user)
    response = client.get(_url("portal:dashboard", world))
    names = {m.tenant.name for m in response.context["my_memberships"]}
    assert names == {"Vendor A", "Vendor B"}
    assert b"Switch program" in response.content
    home = client.get(reverse("home"))
    assert {m.tenant.slug for m in home.context["memberships"]} == {"vendor-a", "vendor-b"}


def test_error_pages_render(client, world):
    client.force_login(world.p_rep.user)
    response = client.get("/t/vendor-a/portal/team/999999/")
    assert response.status_code == 404
    assert b"Not found" in response.content
    forbidden = client.get(_url("console:dashboard", world))
    assert forbidden.status_code == 403 and b"Not allowed" in forbidden.content
    assert "Something went wrong" in render_to_string("500.html")


def test_settings_reject_bad_input_and_change_nothing(client, world):
    client.force_login(world.vendor_admin.user)
    response = client.post(
        _url("console:settings", world),
        {"name": "", "default_currency": "dollars", "locale": "en"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "name" in errors and "default_currency" in errors
    world.a.refresh_from_db()
    assert (world.a.name, world.a.default_currency) == ("Vendor A", "USD")


def test_settings_save_and_require_mfa(client, world):
    client.force_login(world.vendor_admin.user)
    response = client.post(
        _url("console:settings", world),
        {
            "name": "Vendor A Inc",
            "default_currency": "EUR",
            "locale": "de",
            "require_mfa_for_vendor_roles": "on",
        },
    )
    assert response.status_code == 302
    tenant = Tenant.objects.get(pk=world.a.pk)
    assert (tenant.name, tenant.default_currency, tenant.require_mfa_for_vendor_roles) == (
        "Vendor A Inc",
        "EUR",
        True,
    )


def test_only_vendor_admins_change_settings(client, world):
    client.force_login(world.channel_manager.user)
    assert client.get(_url("console:settings", world)).status_code == 403


def _queries_for(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["console:partners", "console:team"])
def test_list_pages_use_a_constant_number_of_queries(client, world, page):
    client.force_login(world.vendor_admin.user)
    url = _url(page, world)
    before = _queries_for(client, url)
    with tenant_context(world.a.pk):
        for i in range(15):
            partner = Partner.objects.create(name=f"Extra {i}", partner_type=PartnerType.AGENCY)
            make_member(world.a, f"extra{i}@a.test", "partner_rep", partner)
    assert _queries_for(client, url) == before


def test_the_home_page_sends_a_single_membership_straight_in(client, world):
    client.force_login(world.q_rep.user)
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("tenant_root", kwargs={"tenant_slug": "vendor-a"})


def test_unverified_email_cannot_sign_in(client, db):
    from allauth.account.models import EmailAddress

    from tests.world import PASSWORD, UserFactory

    user = UserFactory(email="unverified@example.test")
    EmailAddress.objects.filter(user=user).update(verified=False)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302 and "confirm-email" in response["Location"]
