"""A user of vendor A cannot reach anything of vendor B by editing the URL."""

import re

import pytest
from django.urls import reverse

from portal.urls import console_patterns, portal_patterns


def _url_names(patterns, namespace):
    for pattern in patterns:
        params = re.findall(r"<(?:\w+:)?(\w+)>", str(pattern.pattern))
        yield f"{namespace}:{pattern.name}", params


CONSOLE = list(_url_names(console_patterns, "console"))
PORTAL = list(_url_names(portal_patterns, "portal"))


def _ids_of_b(world):
    return {
        "partner_id": world.b_partner.pk,
        "member_id": world.b_rep.pk,
        "invitation_id": world.b_invitation.pk,
    }


def _b_urls(world):
    ids = _ids_of_b(world)
    urls = [reverse("tenant_root", kwargs={"tenant_slug": world.b.slug})]
    for name, params in CONSOLE + PORTAL:
        urls.append(
            reverse(name, kwargs={"tenant_slug": world.b.slug, **{p: ids[p] for p in params}})
        )
    return urls


@pytest.mark.parametrize("who", ["vendor_admin", "channel_manager", "finance", "p_admin", "p_rep"])
def test_members_of_a_get_404_for_every_url_of_b(client, world, who):
    client.force_login(getattr(world, who).user)
    for url in _b_urls(world):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"tenant": world.b.pk}).status_code == 404, url


def test_every_url_of_b_names_b_objects_by_id(world):
    """The id list above covers every parameter a tenant URL takes."""
    params = {p for _, ps in CONSOLE + PORTAL for p in ps}
    assert params <= set(_ids_of_b(world))


def test_a_object_ids_under_b_slug_are_404_for_b_users(client, world):
    client.force_login(world.b_admin.user)
    url = reverse(
        "console:partner_detail", kwargs={"tenant_slug": world.b.slug, "partner_id": world.p.pk}
    )
    assert client.get(url).status_code == 404


def test_a_object_ids_under_a_slug_are_404_for_b_users(client, world):
    client.force_login(world.b_admin.user)
    url = reverse(
        "console:partner_detail", kwargs={"tenant_slug": world.a.slug, "partner_id": world.p.pk}
    )
    assert client.get(url).status_code == 404


def test_unknown_tenant_is_404(client, world):
    client.force_login(world.vendor_admin.user)
    assert client.get("/t/no-such-vendor/console/").status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client, world):
    response = client.get(reverse("console:dashboard", kwargs={"tenant_slug": world.a.slug}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_deactivated_member_loses_access_at_once(client, world):
    from prm.models import Membership
    from prm.tenancy import tenant_context

    client.force_login(world.p_rep.user)
    url = reverse("portal:dashboard", kwargs={"tenant_slug": world.a.slug})
    assert client.get(url).status_code == 200
    with tenant_context(world.a.pk):
        Membership.objects.filter(pk=world.p_rep.pk).update(is_active=False)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name, params", CONSOLE, ids=[n for n, _ in CONSOLE])
def test_partner_users_cannot_open_console_pages(client, world, name, params):
    client.force_login(world.p_admin.user)
    ids = {
        "partner_id": world.p.pk,
        "member_id": world.p_rep.pk,
        "invitation_id": world.a_invitation.pk,
    }
    url = reverse(name, kwargs={"tenant_slug": world.a.slug, **{p: ids[p] for p in params}})
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("name, params", PORTAL, ids=[n for n, _ in PORTAL])
def test_vendor_users_cannot_open_portal_pages(client, world, name, params):
    client.force_login(world.vendor_admin.user)
    ids = {"member_id": world.p_rep.pk}
    url = reverse(name, kwargs={"tenant_slug": world.a.slug, **{p: ids[p] for p in params}})
    assert client.get(url).status_code == 403


def test_tenant_root_sends_each_role_to_its_face(client, world):
    root = reverse("tenant_root", kwargs={"tenant_slug": world.a.slug})
    client.force_login(world.channel_manager.user)
    assert client.get(root)["Location"].endswith("/console/")
    client.force_login(world.p_rep.user)
    assert client.get(root)["Location"].endswith("/portal/")
