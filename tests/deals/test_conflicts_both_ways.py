"""A conflict shows on both registrations' console pages (recorded once, by the
later one), once in the conflicts list and in the queue's counts; partners never
see a trace of the other partner's registration.  Bulk decisions name the
customers and partners they decided."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deals.conflicts import conflicts_record
from deals.models import DealConflict, DealSettings, DirectAccount
from deals.normalise import customer_key
from deals.services import registrations as services
from tests.deals.test_registrations_support import build_catalogue, fetch, in_a, make, url


@pytest.fixture
def cat(world):
    return build_catalogue(world)


def _submitted(world, cat, partner, user, name, domain="", hours_ago=1):
    registration = make(
        world,
        partner,
        user,
        name,
        domain,
        [cat.analytics],
        status="submitted",
        submitted_at=timezone.now() - datetime.timedelta(hours=hours_ago),
    )
    with in_a(world):
        conflicts_record(registration=registration)
    return registration


@pytest.fixture
def pair(world, cat):
    """P registered Globex first; Q registered the same customer later."""
    earlier = _submitted(
        world, cat, world.p, world.p_rep.user, "Globex Corporation", "globex.example", 10
    )
    later = _submitted(
        world, cat, world.q, world.q_rep.user, "Globex Holdings Europe", "globex.example", 2
    )
    return earlier, later


def _console(client, world, registration):
    client.force_login(world.channel_manager.user)
    page = client.get(url("console:registration", world, registration_id=registration.pk))
    assert page.status_code == 200
    return page


def _pair_rows(world, earlier, later):
    with in_a(world):
        return set(
            DealConflict.objects.filter(
                registration__in=[earlier, later], other_registration__in=[earlier, later]
            ).values_list("registration_id", "other_registration_id")
        )


def test_the_earlier_registration_shows_the_later_one(client, world, pair):
    earlier, later = pair
    assert _pair_rows(world, earlier, later) == {(later.pk, earlier.pk)}  # one row
    page = _console(client, world, earlier)
    conflicts = page.context["detail"].conflicts
    assert [c.other_registration_id for c in conflicts] == [later.pk]
    assert conflicts[0].found_by_other and conflicts[0].match == "domain"
    html = page.content.decode()
    later_link = url("console:registration", world, registration_id=later.pk)
    assert f'href="{later_link}">Globex Holdings Europe</a> · Partner Q' in html
    assert "when the other registration was checked" in html


def test_the_later_registration_shows_the_earlier_one(client, world, pair):
    earlier, later = pair
    page = _console(client, world, later)
    conflicts = page.context["detail"].conflicts
    assert [c.other_registration_id for c in conflicts] == [earlier.pk]
    assert not conflicts[0].found_by_other
    earlier_link = url("console:registration", world, registration_id=earlier.pk)
    assert f'href="{earlier_link}">Globex Corporation</a> · Partner P' in page.content.decode()


@pytest.mark.parametrize(
    "who, mine, theirs",
    [
        ("p_rep", 0, 1),
        ("p_admin", 0, 1),
        ("q_rep", 1, 0),
    ],
)
def test_partners_see_no_trace_of_the_other_registration(client, world, pair, who, mine, theirs):
    own, other = pair[mine], pair[theirs]
    other_customer, other_partner = [
        ("Globex Corporation", "Partner P"),
        ("Globex Holdings Europe", "Partner Q"),
    ][theirs]
    client.force_login(getattr(world, who).user)
    page = client.get(url("portal:registration", world, registration_id=own.pk))
    assert page.status_code == 200
    assert page.context["detail"].conflicts == []
    html = page.content.decode()
    assert other_customer not in html
    assert other_partner not in html
    assert "onflict" not in html and "ompet" not in html
    assert f"/registrations/{other.pk}/" not in html
    pipeline = client.get(url("portal:registrations", world)).content.decode()
    assert other_customer not in pipeline and other_partner not in pipeline
    assert "onflict" not in pipeline
    assert client.get(url("portal:registration", world, registration_id=other.pk)).status_code == (
        404
    )


def test_the_queue_marks_both_and_counts_each_competitor_once(client, world, cat, pair):
    earlier, later = pair
    client.force_login(world.channel_manager.user)
    queue = url("console:registration_queue", world)
    rows = {r.pk: r for r in client.get(queue).context["registrations"]}
    assert (rows[earlier.pk].conflict_count, rows[earlier.pk].open_competitor) == (1, True)
    assert (rows[later.pk].conflict_count, rows[later.pk].open_competitor) == (1, True)

    # P's registration is checked again (as on approval): now both recorded the other.
    with in_a(world):
        conflicts_record(registration=earlier)
    assert _pair_rows(world, earlier, later) == {(later.pk, earlier.pk), (earlier.pk, later.pk)}
    rows = {r.pk: r for r in client.get(queue).context["registrations"]}
    assert rows[earlier.pk].conflict_count == 1 and rows[later.pk].conflict_count == 1
    for registration, other in ((earlier, later), (later, earlier)):
        shown = _console(client, world, registration).context["detail"].conflicts
        assert [c.other_registration_id for c in shown] == [other.pk]

    # Once Q's registration is decided, P's no longer has an open competitor.
    with in_a(world):
        services.registration_reject(registration=later, by=world.channel_manager, reason="Late")
    rows = {r.pk: r for r in client.get(queue).context["registrations"]}
    assert (rows[earlier.pk].conflict_count, rows[earlier.pk].open_competitor) == (1, False)


def _listed_pairs(client, world, earlier, later):
    client.force_login(world.channel_manager.user)
    page = client.get(url("console:registration_conflicts", world))
    assert page.status_code == 200
    ids = {earlier.pk, later.pk}
    return [
        (c.registration_id, c.other_registration_id)
        for c in page.context["conflicts"]
        if c.registration_id in ids or c.other_registration_id in ids
    ]


def test_the_conflicts_list_shows_a_conflict_once(client, world, pair):
    earlier, later = pair
    assert _listed_pairs(client, world, earlier, later) == [(later.pk, earlier.pk)]
    with in_a(world):
        conflicts_record(registration=earlier)
    assert _listed_pairs(client, world, earlier, later) == [(later.pk, earlier.pk)]


def test_approving_the_earlier_one_through_the_console_keeps_one_entry(client, world, pair):
    earlier, later = pair
    client.force_login(world.channel_manager.user)
    decide = url("console:registration_decide", world, registration_id=earlier.pk)
    assert client.post(decide, {"decision": "approve", "reason": ""}).status_code == 302
    assert fetch(world, earlier).status == "approved"
    assert len(_listed_pairs(client, world, earlier, later)) == 1
    shown = _console(client, world, earlier).context["detail"].conflicts
    assert [c.other_registration_id for c in shown] == [later.pk]


def _queries(client, address):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(address).status_code == 200
    return len(ctx.captured_queries)


def test_console_page_queries_do_not_grow_with_conflicts(client, world, cat, pair):
    earlier, later = pair
    client.force_login(world.channel_manager.user)
    earlier_page = url("console:registration", world, registration_id=earlier.pk)
    later_page = url("console:registration", world, registration_id=later.pk)
    assert len(client.get(earlier_page).context["detail"].conflicts) == 1
    before = (_queries(client, earlier_page), _queries(client, later_page))
    for i in range(4):
        _submitted(world, cat, world.q, world.q_rep.user, f"Globex {i}", "globex.example")
    with in_a(world):
        conflicts_record(registration=earlier)  # now found both ways
        conflicts_record(registration=later)
    assert len(client.get(earlier_page).context["detail"].conflicts) == 5
    assert (_queries(client, earlier_page), _queries(client, later_page)) == before


# --- bulk decisions name customers --------------------------------------------------------


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_bulk_approve_names_customers_and_partners(client, world, cat):
    a = _submitted(world, cat, world.p, world.p_rep.user, "Hooli", "hooli.example")
    b = _submitted(world, cat, world.q, world.q_rep.user, "Pied Piper", "piedpiper.example")
    c = _submitted(world, cat, world.p, world.p_rep.user, "Umbrella", "umbrella.example")
    client.force_login(world.channel_manager.user)
    queue = url("console:registration_queue", world)
    response = client.post(queue, {"ids": [a.pk, b.pk, c.pk], "decision": "approve"}, follow=True)
    assert response.status_code == 200
    shown = _messages(response)
    assert shown == [
        "3 registrations approved: Hooli (Partner P), Pied Piper (Partner Q), Umbrella (Partner P)."
    ]
    assert not any(str(r.pk) in m for m in shown for r in (a, b, c))


def test_bulk_reject_of_one_is_singular(client, world, cat):
    one = _submitted(world, cat, world.q, world.q_rep.user, "Massive Dynamic", "massive.example")
    client.force_login(world.channel_manager.user)
    response = client.post(
        url("console:registration_queue", world),
        {"ids": [one.pk], "decision": "reject", "reason": "Duplicate"},
        follow=True,
    )
    assert _messages(response) == ["1 registration rejected: Massive Dynamic (Partner Q)."]
    assert fetch(world, one).status == "rejected"


def test_bulk_refusals_say_which_customer_and_why(client, world, cat):
    with in_a(world):
        DealSettings.objects.update(direct_accounts_off_limits=True)
        DirectAccount.objects.create(
            name="Initech", name_key=customer_key("Initech"), domain="initech.example"
        )
    fine = _submitted(world, cat, world.p, world.p_rep.user, "Globex", "globex.example")
    direct = _submitted(world, cat, world.q, world.q_rep.user, "Initech", "initech.example")
    client.force_login(world.channel_manager.user)
    response = client.post(
        url("console:registration_queue", world),
        {"ids": [fine.pk, direct.pk, 999999], "decision": "approve"},
        follow=True,
    )
    shown = _messages(response)
    assert shown[0] == "1 registration approved: Globex (Partner P)."
    assert shown[1].startswith(
        "Initech (Partner Q): not approved — This customer is one of the vendor's direct accounts"
    )
    assert shown[2] == "1 selected registration no longer exists."
    assert len(shown) == 3
    assert not any(str(r.pk) in m for m in shown for r in (fine, direct))
    assert (fetch(world, fine).status, fetch(world, direct).status) == ("approved", "submitted")
