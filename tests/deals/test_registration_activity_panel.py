"""The registration pages carry the shared activity history, each side its own way."""

from django.urls import reverse

from deals.models import Activity, DealRegistration
from prm.tenancy import tenant_context


def _registration(world):
    with tenant_context(world.a.pk):
        return DealRegistration.objects.get(partner=world.p)


def test_partner_and_vendor_see_the_same_history(client, world):
    registration = _registration(world)
    client.force_login(world.p_rep.user)
    portal = client.get(
        reverse(
            "portal:registration",
            kwargs={"tenant_slug": "vendor-a", "registration_id": registration.pk},
        )
    )
    assert portal.status_code == 200
    assert [a.body for a in portal.context["activities"]] == ["Met the CIO"]
    client.force_login(world.channel_manager.user)
    console = client.get(
        reverse(
            "console:registration",
            kwargs={"tenant_slug": "vendor-a", "registration_id": registration.pk},
        )
    )
    assert [a.body for a in console.context["activities"]] == ["Met the CIO"]
    assert b"Met the CIO" in console.content


def test_adding_from_the_detail_page_returns_to_it(client, world):
    registration = _registration(world)
    client.force_login(world.p_rep.user)
    detail = reverse(
        "portal:registration",
        kwargs={"tenant_slug": "vendor-a", "registration_id": registration.pk},
    )
    page = client.get(detail)
    response = client.post(
        page.context["activity_action"], {"kind": "call", "body": "Pricing call", "next": detail}
    )
    assert response.status_code == 302 and response["Location"] == detail
    with tenant_context(world.a.pk):
        assert Activity.objects.filter(registration=registration, body="Pricing call").exists()


def test_q_cannot_open_ps_registration_or_its_history(client, world):
    registration = _registration(world)
    client.force_login(world.q_rep.user)
    assert (
        client.get(
            reverse(
                "portal:registration",
                kwargs={"tenant_slug": "vendor-a", "registration_id": registration.pk},
            )
        ).status_code
        == 404
    )
