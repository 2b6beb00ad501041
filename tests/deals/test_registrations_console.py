"""The vendor console: approval queue with SLA and bulk decisions, registration
page with conflicts side by side and decisions, conflicts view, all
registrations with filters and CSV export; finance reads but does not decide."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deals.conflicts import conflicts_record
from deals.models import DealConflict, DealProtection, DealRegistration, DealSettings
from tests.deals.test_registrations_support import (
    build_catalogue,
    fetch,
    future,
    in_a,
    make,
    transitions,
    url,
)
from tests.exporting import download, export_id_of, export_rows, write


@pytest.fixture
def cat(world):
    return build_catalogue(world)


def _submitted(world, cat, partner, user, name, domain="", hours_ago=1, **fields):
    registration = make(
        world,
        partner,
        user,
        name,
        domain,
        [cat.analytics],
        status="submitted",
        submitted_at=timezone.now() - datetime.timedelta(hours=hours_ago),
        **fields,
    )
    with in_a(world):
        conflicts_record(registration=registration)
    return registration


def test_queue_lists_oldest_first_with_sla_and_conflicts(client, world, cat):
    old = _submitted(world, cat, world.p, world.p_rep.user, "Old Co", "old.example", 72)
    rival = _submitted(world, cat, world.q, world.q_rep.user, "Old Co", "old.example", 2)
    asked = make(
        world,
        world.q,
        world.q_rep.user,
        "Asked",
        products=[cat.security],
        status="more_info",
        submitted_at=timezone.now() - datetime.timedelta(hours=5),
    )
    make(world, world.p, world.p_rep.user, "Draft Co", products=[cat.analytics])
    client.force_login(world.channel_manager.user)
    page = client.get(url("console:registration_queue", world))
    assert page.status_code == 200
    rows = page.context["registrations"]
    assert [r.pk for r in rows] == [old.pk, asked.pk, rival.pk]
    first = rows[0]
    assert (first.sla_hours, first.sla_overdue) == (72, True)
    assert (rows[2].sla_hours, rows[2].sla_overdue) == (2, False)
    assert rows[2].conflict_count == 1 and rows[2].open_competitor
    assert b"overdue" in page.content
    by_partner = client.get(url("console:registration_queue", world), {"partner": world.q.pk})
    assert [r.pk for r in by_partner.context["registrations"]] == [asked.pk, rival.pk]
    by_age = client.get(url("console:registration_queue", world), {"min_age_hours": 48})
    assert [r.pk for r in by_age.context["registrations"]] == [old.pk]
    by_country = client.get(url("console:registration_queue", world), {"country": "fr"})
    assert list(by_country.context["registrations"]) == []


def test_detail_shows_competitors_side_by_side_and_approves(client, world, cat):
    first = _submitted(world, cat, world.p, world.p_rep.user, "Acme Inc", "acme.example", 10)
    second = _submitted(world, cat, world.q, world.q_rep.user, "ACME", "acme.example", 3)
    client.force_login(world.channel_manager.user)
    page = client.get(url("console:registration", world, registration_id=second.pk))
    assert page.status_code == 200
    conflicts = page.context["detail"].conflicts
    assert [c.other_registration_id for c in conflicts] == [first.pk]
    assert b"Partner P" in page.content and b"Same domain" in page.content

    decide = url("console:registration_decide", world, registration_id=first.pk)
    assert client.post(decide, {"decision": "approve", "reason": ""}).status_code == 302
    assert fetch(world, first).status == "approved"

    refused = client.post(
        url("console:registration_decide", world, registration_id=second.pk),
        {"decision": "approve"},
    )
    assert refused.status_code == 400
    assert b"already protects" in refused.content
    assert fetch(world, second).status == "submitted"
    assert transitions(world, second) == []


@pytest.mark.parametrize("decision", ["reject", "more_info"])
def test_reject_or_ask_needs_a_reason(client, world, cat, decision):
    registration = _submitted(world, cat, world.p, world.p_rep.user, "Reason Co")
    client.force_login(world.channel_manager.user)
    decide = url("console:registration_decide", world, registration_id=registration.pk)
    response = client.post(decide, {"decision": decision, "reason": " "})
    assert response.status_code == 400
    assert response.context["decision_form"].errors.get("reason")
    assert fetch(world, registration).status == "submitted"
    assert client.post(decide, {"decision": decision, "reason": "Need more"}).status_code == 302
    assert fetch(world, registration).status == ("rejected" if decision == "reject" else decision)


def test_extension_grant_and_refuse_through_the_console(client, world, cat):
    with in_a(world):
        DealSettings.objects.update(extension_days=10)
    until = future(5)
    registration = make(
        world,
        world.p,
        world.p_rep.user,
        "Extend Co",
        products=[cat.analytics],
        status="approved",
        protected_until=until,
        extension_requested_at=timezone.now(),
        extension_reason="Procurement",
    )
    client.force_login(world.vendor_admin.user)
    address = url("console:registration_extension_decide", world, registration_id=registration.pk)
    assert client.post(address, {"grant": "no", "reason": ""}).status_code == 400
    assert fetch(world, registration).extension_requested_at is not None
    assert client.post(address, {"grant": "yes"}).status_code == 302
    stored = fetch(world, registration)
    assert stored.protected_until == until + datetime.timedelta(days=10)
    assert client.post(address, {"grant": "yes"}).status_code == 400


def test_bulk_approve_and_reject(client, world, cat):
    one = _submitted(world, cat, world.p, world.p_rep.user, "Bulk One", "one.example")
    two = _submitted(world, cat, world.q, world.q_rep.user, "Bulk One", "one.example")
    three = _submitted(world, cat, world.q, world.q_rep.user, "Bulk Three", "three.example")
    client.force_login(world.channel_manager.user)
    queue = url("console:registration_queue", world)
    no_reason = client.post(queue, {"ids": [three.pk], "decision": "reject", "reason": ""})
    assert no_reason.status_code == 400
    assert fetch(world, three).status == "submitted"
    nothing = client.post(queue, {"decision": "approve"})
    assert nothing.status_code == 400

    response = client.post(queue, {"ids": [one.pk, two.pk], "decision": "approve"}, follow=True)
    assert response.status_code == 200
    assert [fetch(world, r).status for r in (one, two)] == ["approved", "submitted"]
    shown = [str(m) for m in response.context["messages"]]
    assert "1 registration approved: Bulk One (Partner P)." in shown
    assert any(m.startswith("Bulk One (Partner Q): not approved — ") for m in shown)
    assert not any(str(two.pk) in m for m in shown)
    response = client.post(
        queue, {"ids": [two.pk, three.pk], "decision": "reject", "reason": "Overlap"}
    )
    assert response.status_code == 302
    assert [fetch(world, r).status for r in (two, three)] == ["rejected", "rejected"]


def test_finance_reads_but_cannot_decide(client, world, cat):
    registration = _submitted(world, cat, world.p, world.p_rep.user, "Finance Co")
    client.force_login(world.finance.user)
    assert client.get(url("console:registration_queue", world)).status_code == 200
    page = client.get(url("console:registration", world, registration_id=registration.pk))
    assert page.status_code == 200 and not page.context["can_decide"]
    decide = url("console:registration_decide", world, registration_id=registration.pk)
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    bulk = client.post(
        url("console:registration_queue", world), {"ids": [registration.pk], "decision": "approve"}
    )
    assert bulk.status_code == 403
    assert fetch(world, registration).status == "submitted"
    with in_a(world):
        assert not DealProtection.objects.filter(registration=registration).exists()


def test_conflicts_view_lists_newest_first(client, world, cat):
    a = _submitted(world, cat, world.p, world.p_rep.user, "Conflict Co", "conflict.example")
    b = _submitted(world, cat, world.q, world.q_rep.user, "Conflict Co", "conflict.example")
    client.force_login(world.channel_manager.user)
    page = client.get(url("console:registration_conflicts", world))
    assert page.status_code == 200
    listed = [(c.registration_id, c.other_registration_id) for c in page.context["conflicts"]]
    assert listed[0] == (b.pk, a.pk)
    with in_a(world):
        assert DealConflict.objects.filter(direct_account__isnull=False).count() == 1
    assert len(listed) == 2


def test_all_registrations_filters_and_export(client, world, cat):
    make(world, world.p, world.p_rep.user, "Export P", products=[cat.analytics])
    make(
        world,
        world.q,
        world.q_rep.user,
        "=HYPERLINK(1)",
        products=[cat.security],
        customer_country="FR",
    )
    client.force_login(world.channel_manager.user)
    listing = url("console:registrations", world)
    everything = client.get(listing)
    assert {r.customer_name for r in everything.context["registrations"]} >= {
        "Export P",
        "=HYPERLINK(1)",
        "Customer of vendor-a",
    }
    assert [
        r.customer_name
        for r in client.get(listing, {"product": cat.security.pk}).context["registrations"]
    ] == ["=HYPERLINK(1)"]
    assert [
        r.customer_name
        for r in client.get(listing, {"partner": world.p.pk, "status": "draft"}).context[
            "registrations"
        ]
    ] == ["Export P"]
    assert [
        r.customer_name for r in client.get(listing, {"country": "fr"}).context["registrations"]
    ] == ["=HYPERLINK(1)"]
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert list(client.get(listing, {"created_from": tomorrow}).context["registrations"]) == []

    rows = export_rows(client, world.a, "console:registrations_export", country="FR")
    assert [(r["customer"], r["partner"]) for r in rows] == [("'=HYPERLINK(1)", "Partner Q")]
    assert list(rows[0])[:3] == ["id", "partner", "customer"]


def _queries(client, address):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(address).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "page",
    ["console:registration_queue", "console:registrations", "console:registration_conflicts"],
)
def test_console_lists_keep_a_constant_number_of_queries(client, world, cat, page):
    client.force_login(world.channel_manager.user)
    address = url(page, world)
    _submitted(world, cat, world.p, world.p_rep.user, "Seed", "seed.example")
    _submitted(world, cat, world.q, world.q_rep.user, "Seed", "seed.example")
    before = _queries(client, address)
    for i in range(8):
        _submitted(world, cat, world.p, world.p_rep.user, f"Many {i}", f"many{i}.example")
        _submitted(world, cat, world.q, world.q_rep.user, f"Many {i}", f"many{i}.example")
    assert _queries(client, address) == before


def test_a_vendor_of_b_sees_nothing_of_a(client, world, cat):
    registration = _submitted(world, cat, world.p, world.p_rep.user, "Only in A")
    client.force_login(world.b_admin.user)
    base = f"/t/{world.b.slug}/console/registrations/"
    assert client.get(f"{base}{registration.pk}/").status_code == 404
    assert b"Only in A" not in client.get(f"{base}queue/").content
    assert b"Only in A" not in client.get(base).content
    assert "Only in A" not in download(
        client, world.b, write(world.b, export_id_of(client.post(f"{base}export/"))).pk
    )
    response = client.post(f"{base}{registration.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 404
    assert fetch(world, registration).status == "submitted"
    with in_a(world):
        assert DealRegistration.objects.filter(pk=registration.pk, status="submitted").exists()
