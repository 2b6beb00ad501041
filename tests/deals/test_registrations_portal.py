"""The partner portal: register (draft or submit), the duplicate check, lead
conversion, pipeline, detail with its actions; P never reaches Q's records."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deals.models import DealProtection, DealRegistration, Lead, RevenueLine
from partners.models import Agreement, Partner
from tests.deals.test_registrations_support import (
    build_catalogue,
    fetch,
    form_data,
    future,
    in_a,
    make,
    transitions,
    url,
)


@pytest.fixture
def cat(world):
    return build_catalogue(world)


def _count(world):
    with in_a(world):
        return DealRegistration.objects.count()


def test_register_a_draft_then_submit_it(client, world, cat):
    client.force_login(world.p_rep.user)
    page = client.get(url("portal:registration_create", world))
    assert page.status_code == 200
    assert page.context["form"].initial["currency"] == "USD"
    assert b"registration_check.js" in page.content

    response = client.post(url("portal:registration_create", world), form_data(cat))
    assert response.status_code == 302
    with in_a(world):
        registration = DealRegistration.objects.get(customer_name="Umbrella Corporation")
        products = set(registration.lines.values_list("product_id", flat=True))
    assert response["Location"] == url(
        "portal:registration", world, registration_id=registration.pk
    )
    assert (registration.status, registration.customer_domain, registration.currency) == (
        "draft",
        "umbrella.example",
        "EUR",
    )
    assert products == {cat.analytics.pk, cat.security.pk}

    detail = client.get(response["Location"])
    assert detail.status_code == 200 and b"Submit for approval" in detail.content
    response = client.post(
        url("portal:registration_submit", world, registration_id=registration.pk)
    )
    assert response.status_code == 302
    assert fetch(world, registration).status == "submitted"
    assert transitions(world, registration) == [("draft", "submitted")]


def test_register_and_submit_at_once(client, world, cat):
    client.force_login(world.p_admin.user)
    response = client.post(
        url("portal:registration_create", world), form_data(cat, action="submit")
    )
    assert response.status_code == 302
    with in_a(world):
        registration = DealRegistration.objects.get(customer_name="Umbrella Corporation")
    assert registration.status == "submitted" and registration.submitted_at


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"product_ids": ["999999"]}, "product_ids"),
        # A draft may leave the products out; submitting may not.
        ({"product_ids": [], "action": "submit"}, "product_ids"),
        ({"product_ids": ["b_product"]}, "product_ids"),
        ({"estimated_value": "-10"}, "estimated_value"),
        ({"expected_close_date": "2001-01-01"}, "expected_close_date"),
        ({"currency": "E1"}, "currency"),
        ({"currency": "EURO"}, "currency"),
        ({"customer_name": ""}, "customer_name"),
        ({"customer_country": "X"}, "customer_country"),
        ({"stage": "won"}, "stage"),
    ],
)
def test_bad_registrations_are_refused_and_write_nothing(client, world, cat, overrides, field):
    if overrides.get("product_ids") == ["b_product"]:
        overrides = {"product_ids": [cat.b_product.pk]}
    client.force_login(world.p_rep.user)
    before = _count(world)
    response = client.post(url("portal:registration_create", world), form_data(cat, **overrides))
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert _count(world) == before


def test_a_partner_past_its_agreement_deadline_is_told_and_refused(client, world, cat):
    with in_a(world):
        world.q.agreement_acceptances.all().delete()
        # Q joined long ago; the version's date has passed.
        Agreement.objects.update(
            published_at=timezone.now() - datetime.timedelta(days=60),
            accept_by=timezone.localdate() - datetime.timedelta(days=1),
        )
        Partner.objects.filter(pk=world.q.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=400)
        )
    client.force_login(world.q_rep.user)
    page = client.get(url("portal:registration_create", world))
    assert b"partner agreement by" in page.content
    # The page says why and links to the agreement instead of showing a form that fails.
    assert url("portal:agreement", world).encode() in page.content
    assert b'name="customer_name"' not in page.content
    before = _count(world)
    response = client.post(url("portal:registration_create", world), form_data(cat))
    assert response.status_code == 400
    assert "agreement" in str(response.context["form"].non_field_errors())
    assert _count(world) == before


def test_duplicate_check_says_yes_or_no_and_never_who(client, world, cat):
    make(
        world,
        world.q,
        world.q_rep.user,
        "Wayne Enterprises",
        "wayne.example",
        [cat.analytics],
        status="submitted",
    )
    client.force_login(world.p_rep.user)
    check = url("portal:registration_check", world)
    hit = client.get(
        check,
        {
            "customer_name": "Wayne Enterprises Inc",
            "customer_domain": "bruce@wayne.example",
            "products": [cat.analytics.pk],
        },
    )
    assert hit.status_code == 200
    assert hit.json() == {"possible_conflict": True}
    assert b"Partner Q" not in hit.content and b"wayne" not in hit.content.lower()
    other_product = client.get(
        check, {"customer_name": "Wayne Enterprises", "products": [cat.security.pk]}
    )
    assert other_product.json() == {"possible_conflict": False}
    unrelated = client.get(check, {"customer_name": "Oscorp", "products": [cat.analytics.pk]})
    assert unrelated.json() == {"possible_conflict": False}
    direct = client.get(check, {"customer_name": "Bigcorp", "products": [cat.analytics.pk]})
    assert direct.json() == {"possible_conflict": True}
    client.force_login(world.q_rep.user)
    own = client.get(check, {"customer_name": "Wayne Enterprises", "products": [cat.analytics.pk]})
    assert own.json() == {"possible_conflict": False}


def test_an_accepted_lead_prefills_and_converts(client, world, cat):
    with in_a(world):
        lead = Lead.objects.create(
            company_name="Soylent Corp",
            company_domain="soylent.example",
            country="US",
            contact_name="Sol",
            status="accepted",
            partner=world.p,
            currency="USD",
        )
        offered = Lead.objects.create(
            company_name="Not yet", country="US", status="offered", partner=world.p
        )
        q_lead = Lead.objects.create(
            company_name="Q's", country="US", status="accepted", partner=world.q
        )
    client.force_login(world.p_rep.user)
    create = url("portal:registration_create", world)
    for other in (offered, q_lead):
        assert client.get(create, {"lead": other.pk}).status_code == 404
    assert client.get(create, {"lead": "abc"}).status_code == 404
    page = client.get(create, {"lead": lead.pk})
    assert page.status_code == 200
    assert page.context["form"].initial["customer_name"] == "Soylent Corp"
    response = client.post(
        f"{create}?lead={lead.pk}",
        form_data(cat, customer_name="Soylent Corp", customer_domain="soylent.example"),
    )
    assert response.status_code == 302
    with in_a(world):
        assert Lead.objects.get(pk=lead.pk).status == "converted"
        assert DealRegistration.objects.get(customer_name="Soylent Corp").lead_id == lead.pk
    assert client.get(create, {"lead": lead.pk}).status_code == 404


def test_pipeline_filters_totals_and_expiring_soon(client, world, cat):
    today = timezone.localdate()
    make(world, world.p, world.p_rep.user, "Alpha", products=[cat.analytics], currency="EUR")
    make(world, world.p, world.p_rep.user, "Beta", products=[cat.analytics], currency="USD")
    make(
        world,
        world.p,
        world.p_admin.user,
        "Gamma",
        products=[cat.analytics],
        status="approved",
        stage="commit",
        protected_until=today + datetime.timedelta(days=5),
    )
    make(world, world.q, world.q_rep.user, "Q secret", products=[cat.analytics])
    client.force_login(world.p_rep.user)
    page = client.get(url("portal:registrations", world))
    names = {r.customer_name for r in page.context["registrations"]}
    assert names == {"Alpha", "Beta", "Gamma", "Customer of vendor-a"}
    assert b"Q secret" not in page.content
    totals = {(t["status"], t["currency"]): t["total"] for t in page.context["totals"]}
    assert totals[("draft", "EUR")] == 1000 and totals[("draft", "USD")] == 1000
    assert [r.customer_name for r in page.context["expiring"]] == ["Gamma"]
    filtered = client.get(url("portal:registrations", world), {"status": "approved"})
    assert {r.customer_name for r in filtered.context["registrations"]} == {
        "Gamma",
        "Customer of vendor-a",
    }
    by_stage = client.get(url("portal:registrations", world), {"stage": "commit", "q": "gam"})
    assert [r.customer_name for r in by_stage.context["registrations"]] == ["Gamma"]


def _queries(client, address):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(address).status_code == 200
    return len(ctx.captured_queries)


def test_pipeline_query_count_does_not_grow(client, world, cat):
    client.force_login(world.p_rep.user)
    address = url("portal:registrations", world)
    before = _queries(client, address)
    for i in range(12):
        make(
            world,
            world.p,
            world.p_rep.user,
            f"Row {i}",
            products=[cat.analytics, cat.security],
            status="approved",
            protected_until=future(3),
        )
    assert _queries(client, address) == before


def test_edit_while_more_info_then_resubmit(client, world, cat):
    registration = make(
        world, world.p, world.p_rep.user, "Editable", products=[cat.analytics], status="more_info"
    )
    client.force_login(world.p_rep.user)
    edit = url("portal:registration_edit", world, registration_id=registration.pk)
    assert client.get(edit).status_code == 200
    bad = client.post(edit, form_data(cat, estimated_value="-1"))
    assert bad.status_code == 400
    assert fetch(world, registration).customer_name == "Editable"
    response = client.post(edit, form_data(cat, customer_name="Edited", action="submit"))
    assert response.status_code == 302
    stored = fetch(world, registration)
    assert (stored.customer_name, stored.status) == ("Edited", "submitted")


def _approved(world, cat, partner=None, user=None):
    return make(
        world,
        partner or world.p,
        user or world.p_rep.user,
        "Approved Co",
        products=[cat.analytics, cat.security],
        status="approved",
        protected_until=future(20),
    )


def test_report_won_with_product_lines(client, world, cat):
    registration = _approved(world, cat)
    client.force_login(world.p_rep.user)
    won = url("portal:registration_won", world, registration_id=registration.pk)
    assert client.get(won).status_code == 200
    today = timezone.localdate().isoformat()
    bad = client.post(
        won,
        {"won_amount": "900", "closed_on": today, f"line_{cat.analytics.pk}": "800"},
    )
    assert bad.status_code == 400
    assert "add up" in str(bad.context["form"].non_field_errors())
    with in_a(world):
        assert not RevenueLine.objects.filter(registration=registration).exists()
    ok = client.post(
        won,
        {
            "won_amount": "900",
            "closed_on": today,
            f"line_{cat.analytics.pk}": "800",
            f"line_{cat.security.pk}": "100",
        },
    )
    assert ok.status_code == 302
    with in_a(world):
        assert RevenueLine.objects.filter(registration=registration).count() == 2
    assert fetch(world, registration).status == "won"


def test_report_lost_and_request_an_extension(client, world, cat):
    registration = _approved(world, cat)
    client.force_login(world.p_rep.user)
    extension = url("portal:registration_extension", world, registration_id=registration.pk)
    assert client.post(extension, {"reason": ""}).status_code == 400
    assert fetch(world, registration).extension_requested_at is None
    assert client.post(extension, {"reason": "Board meets late"}).status_code == 302
    assert fetch(world, registration).extension_reason == "Board meets late"
    lost = url("portal:registration_lost", world, registration_id=registration.pk)
    assert client.post(lost, {"reason": ""}).status_code == 400
    assert client.post(lost, {"reason": "Price", "competitor": "Initrode"}).status_code == 302
    assert fetch(world, registration).status == "lost"
    with in_a(world):
        assert not DealProtection.objects.filter(registration=registration).exists()


def test_extension_beyond_the_cap_is_refused(client, world, cat):
    registration = _approved(world, cat)
    with in_a(world):
        DealRegistration.objects.filter(pk=registration.pk).update(extensions_used=2)
    client.force_login(world.p_rep.user)
    response = client.post(
        url("portal:registration_extension", world, registration_id=registration.pk),
        {"reason": "More"},
    )
    assert response.status_code == 400
    assert b"extensions allowed" in response.content
    assert fetch(world, registration).extension_requested_at is None


def test_q_cannot_reach_ps_registration(client, world, cat):
    registration = make(
        world, world.p, world.p_rep.user, "P only", products=[cat.analytics], status="draft"
    )
    approved = _approved(world, cat)
    client.force_login(world.q_rep.user)
    rid = registration.pk
    for name in ("registration", "registration_edit", "registration_won", "registration_lost"):
        assert client.get(url(f"portal:{name}", world, registration_id=rid)).status_code == 404
    assert (
        client.post(url("portal:registration_submit", world, registration_id=rid)).status_code
        == 404
    )
    assert (
        client.post(
            url("portal:registration_edit", world, registration_id=rid), form_data(cat)
        ).status_code
        == 404
    )
    for name, data in (
        ("registration_extension", {"reason": "x"}),
        ("registration_won", {"won_amount": "1", "closed_on": "2020-01-01"}),
        ("registration_lost", {"reason": "x"}),
    ):
        response = client.post(url(f"portal:{name}", world, registration_id=approved.pk), data)
        assert response.status_code == 404
    assert fetch(world, registration).status == "draft"
    stored = fetch(world, approved)
    assert (stored.status, stored.extension_requested_at) == ("approved", None)
    assert client.get(url("portal:registration", world, registration_id=999999)).status_code == 404
    page = client.get(url("portal:registrations", world))
    assert b"P only" not in page.content and b"Approved Co" not in page.content


def test_partners_never_see_conflicts_on_their_page(client, world, cat):
    mine = make(
        world,
        world.p,
        world.p_rep.user,
        "Shared Co",
        "shared.example",
        [cat.analytics],
        status="submitted",
    )
    make(
        world,
        world.q,
        world.q_rep.user,
        "Shared Co",
        "shared.example",
        [cat.analytics],
        status="submitted",
    )
    client.force_login(world.channel_manager.user)
    client.get(url("console:registration", world, registration_id=mine.pk))
    client.force_login(world.p_rep.user)
    page = client.get(url("portal:registration", world, registration_id=mine.pk))
    assert page.status_code == 200
    assert page.context["detail"].conflicts == []
    assert b"Partner Q" not in page.content


def test_other_tenants_cannot_reach_a_registration(client, world, cat):
    registration = make(world, world.p, world.p_rep.user, "Tenant A deal", products=[cat.analytics])
    client.force_login(world.b_rep.user)
    address = f"/t/{world.b.slug}/portal/registrations/{registration.pk}/"
    assert client.get(address).status_code == 404
    page = client.get(f"/t/{world.b.slug}/portal/registrations/")
    assert page.status_code == 200 and b"Tenant A deal" not in page.content
    check = client.get(
        f"/t/{world.b.slug}/portal/registrations/check/",
        {"customer_name": "Tenant A deal", "products": [cat.analytics.pk]},
    )
    assert check.json() == {"possible_conflict": False}
