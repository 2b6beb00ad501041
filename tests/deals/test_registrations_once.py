"""A registration form sent twice (a double click, a resent request) registers
one deal, whether the second copy comes later or at the same moment."""

import pytest
from django.test import Client

from deals.models import DealRegistration
from prm.once import new_key
from tests.concurrency import run_together
from tests.deals.test_registrations_support import build_catalogue, form_data, in_a, url


def _registrations(world) -> list[int]:
    with in_a(world):
        return list(
            DealRegistration.objects.filter(customer_name="Umbrella Corporation").values_list(
                "pk", flat=True
            )
        )


def test_the_form_carries_a_one_time_key(client, world):
    client.force_login(world.p_rep.user)
    first = client.get(url("portal:registration_create", world)).context["form"]
    second = client.get(url("portal:registration_create", world)).context["form"]
    assert first.initial["form_key"] and first.initial["form_key"] != second.initial["form_key"]


def test_sent_twice_it_registers_once_and_leads_to_the_first(client, world):
    cat = build_catalogue(world)
    client.force_login(world.p_rep.user)
    data = form_data(cat, form_key=new_key())
    first = client.post(url("portal:registration_create", world), data)
    again = client.post(url("portal:registration_create", world), data, follow=True)
    [registration] = _registrations(world)
    assert first["Location"] == url("portal:registration", world, registration_id=registration)
    assert again.redirect_chain[-1][0] == first["Location"]
    assert "already saved" in again.content.decode()


def test_sent_twice_at_the_same_moment_it_registers_once(tx_world):
    world = tx_world
    cat = build_catalogue(world)
    data = form_data(cat, form_key=new_key())

    def send():
        client = Client()
        client.force_login(world.p_rep.user)
        return client.post(url("portal:registration_create", world), data).status_code

    assert run_together(send, send) == [302, 302]
    assert len(_registrations(world)) == 1


@pytest.mark.parametrize("key", ["", "not-a-key"])
def test_without_a_usable_key_the_form_still_works(client, world, key):
    cat = build_catalogue(world)
    client.force_login(world.p_rep.user)
    assert client.post(url("portal:registration_create", world), form_data(cat, form_key=key))
    assert len(_registrations(world)) == 1
