"""The partner 360 page shows that partner's deals, and only theirs."""

from django.urls import reverse

from deals.models import DealRegistration
from prm.tenancy import tenant_context


def _detail(client, world, partner):
    return client.get(
        reverse(
            "console:partner_detail", kwargs={"tenant_slug": "vendor-a", "partner_id": partner.pk}
        )
    )


def test_partner_360_lists_the_partners_registrations_and_totals(client, world):
    client.force_login(world.channel_manager.user)
    response = _detail(client, world, world.p)
    with tenant_context(world.a.pk):
        own = set(DealRegistration.objects.filter(partner=world.p).values_list("pk", flat=True))
    assert {r.pk for r in response.context["deals"]["latest"]} == own
    assert [(t["status"], t["count"]) for t in response.context["deals"]["totals"]] == [
        ("approved", 1)
    ]
    assert b"Customer of vendor-a" in response.content


def test_another_partners_360_does_not_show_them(client, world):
    client.force_login(world.channel_manager.user)
    response = _detail(client, world, world.q)
    assert response.context["deals"]["latest"] == []
    assert b"Customer of vendor-a" not in response.content
