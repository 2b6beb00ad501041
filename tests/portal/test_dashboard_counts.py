"""The console home counts partners, not the people in them."""

from django.urls import reverse

from partners.models import Partner
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.world import make_member


def test_partners_by_status_counts_each_partner_once(client, world):
    # P already has an admin and a rep; give it three more people.
    for n in range(3):
        make_member(world.a, f"extra{n}@p.test", Role.PARTNER_REP, world.p)
    with tenant_context(world.a.pk):
        expected = {
            status: Partner.objects.filter(status=status).count()
            for status, _label in Partner._meta.get_field("status").choices
        }
    client.force_login(world.channel_manager.user)
    response = client.get(reverse("console:dashboard", kwargs={"tenant_slug": world.a.slug}))
    shown = dict(response.context["home"].partners_by_status)
    labels = dict(Partner._meta.get_field("status").choices)
    assert shown == {labels[status]: count for status, count in expected.items()}
    assert sum(shown.values()) == sum(expected.values())
