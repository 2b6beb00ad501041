"""Won-order CSV import: every line matched to one registration, all or nothing,
each order line counted once; approved registrations become won."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deals.models import DealProtection, DealRegistration, DealTransition, Product, RevenueLine
from partners.models import PartnerDomain
from prm.tenancy import tenant_context
from tests.deals.setup_deal_data import product, register, url

HEADER = (
    "order_ref,registration_id,partner_domain,customer_domain,customer_name,"
    "product_code,amount,currency,closed_on\n"
)


@pytest.fixture
def deals(world):
    """P has Initech (approved) and Globex (won); Q has Umbrella (approved)."""
    future = timezone.localdate() + datetime.timedelta(days=60)
    with tenant_context(world.a.pk):
        PartnerDomain.objects.create(partner=world.p, domain="pp.example")
        PartnerDomain.objects.create(partner=world.q, domain="q.example")
        analytics = product("AN-1", "Analytics")
        core = Product.objects.get(code="CORE")
        initech = register(
            world.p,
            world.p_rep.user,
            "Initech LLC",
            domain="initech.example",
            protected_until=future,
            products=[analytics],
        )
        umbrella = register(
            world.q, world.q_rep.user, "Umbrella Corp", protected_until=future, products=[core]
        )
        globex = register(world.p, world.p_rep.user, "Globex", status="won", products=[core])
        DealRegistration.objects.filter(pk=globex.pk).update(
            won_amount=Decimal("700.00"), closed_on=datetime.date(2026, 9, 1)
        )
        RevenueLine.objects.create(
            partner=world.p,
            registration=globex,
            product=core,
            amount=Decimal("700.00"),
            currency="USD",
            closed_on=datetime.date(2026, 9, 1),
            source=RevenueLine.Source.REGISTRATION,
        )
        submitted = register(world.p, world.p_rep.user, "Hooli", status="submitted")
    return {
        "initech": initech,
        "umbrella": umbrella,
        "globex": globex,
        "submitted": submitted,
        "analytics": analytics,
    }


def _upload(client, world, body: str, *, header: str = HEADER, tenant=None):
    data = (header + body).encode()
    return client.post(
        url(world, "console:orders_import", tenant=tenant),
        {"file": SimpleUploadedFile("orders.csv", data, content_type="text/csv")},
    )


def _lines(tenant):
    with tenant_context(tenant.pk):
        return list(
            RevenueLine.objects.filter(source="order_import")
            .order_by("order_ref", "product__code")
            .values_list("order_ref", "registration_id", "product__code", "amount", "currency")
        )


def _state(tenant, registration):
    with tenant_context(tenant.pk):
        r = DealRegistration.objects.get(pk=registration.pk)
        return r.status, r.won_amount, r.closed_on


def _good(deals) -> str:
    initech = deals["initech"].pk
    return (
        f"ORD-1,{initech},,,,AN-1,1000.00,USD,2026-11-01\n"
        "ORD-1,,pp.example,https://www.initech.example,,core,250.5,usd,2026-11-05\n"
        "ORD-2,,q.example,,Umbrella Corporation,CORE,99,USD,2026-10-01\n"
    )


def test_a_manager_imports_won_orders_and_registrations_become_won(client, world, deals):
    client.force_login(world.channel_manager.user)
    response = _upload(client, world, _good(deals))
    assert response.status_code == 302
    initech, umbrella = deals["initech"], deals["umbrella"]
    assert _lines(world.a) == [
        ("ORD-1", initech.pk, "AN-1", Decimal("1000.00"), "USD"),
        ("ORD-1", initech.pk, "CORE", Decimal("250.50"), "USD"),
        ("ORD-2", umbrella.pk, "CORE", Decimal("99.00"), "USD"),
    ]
    assert _state(world.a, initech) == ("won", Decimal("1250.50"), datetime.date(2026, 11, 5))
    assert _state(world.a, umbrella) == ("won", Decimal("99.00"), datetime.date(2026, 10, 1))
    with tenant_context(world.a.pk):
        assert not DealProtection.objects.filter(registration__in=[initech, umbrella]).exists()
        history = DealTransition.objects.get(registration=initech)
        assert (history.from_status, history.to_status, history.by_id) == (
            "approved",
            "won",
            world.channel_manager.user_id,
        )
        partners = set(
            RevenueLine.objects.filter(source="order_import").values_list("partner_id", flat=True)
        )
        assert partners == {world.p.pk, world.q.pk}
        # the world's own approved registration is untouched
        assert DealRegistration.objects.get(customer_name="Customer of vendor-a").status == (
            "approved"
        )
    assert _state(world.a, deals["globex"])[0] == "won"
    assert _lines(world.b) == []


def test_re_importing_the_same_file_is_refused_and_changes_nothing(client, world, deals):
    client.force_login(world.vendor_admin.user)
    assert _upload(client, world, _good(deals)).status_code == 302
    before = _lines(world.a)
    response = _upload(client, world, _good(deals))
    assert response.status_code == 400
    problems = response.context["problems"]
    assert [(p.row, p.column) for p in problems] == [
        (2, "order_ref"),
        (3, "order_ref"),
        (4, "order_ref"),
    ]
    assert "imported before" in problems[0].message
    assert _lines(world.a) == before
    assert _state(world.a, deals["initech"])[1] == Decimal("1250.50")


def test_a_line_for_a_won_registration_adds_to_its_final_amount(client, world, deals):
    """The final amount of a won registration is always the sum of its lines."""
    client.force_login(world.vendor_admin.user)
    globex = deals["globex"]
    response = _upload(client, world, f"ORD-9,{globex.pk},,,,CORE,300,USD,2026-09-02\n")
    assert response.status_code == 302
    assert _lines(world.a) == [("ORD-9", globex.pk, "CORE", Decimal("300.00"), "USD")]
    assert _state(world.a, globex) == ("won", Decimal("1000.00"), datetime.date(2026, 9, 2))
    with tenant_context(world.a.pk):
        assert not DealTransition.objects.filter(registration=globex).exists()


def _bad_cases(deals, world):
    initech = deals["initech"].pk
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with tenant_context(world.b.pk):
        b_registration = DealRegistration.objects.get().pk
    return [
        (
            "unknown-product",
            f"X,{initech},,,,NOPE,1,USD,2026-11-01",
            "product_code",
            "not an active",
        ),
        ("negative", f"X,{initech},,,,AN-1,-5,USD,2026-11-01", "amount", "negative"),
        ("three-decimals", f"X,{initech},,,,AN-1,1.005,USD,2026-11-01", "amount", "two decimal"),
        ("thousands", f'X,{initech},,,,AN-1,"1,000",USD,2026-11-01', "amount", "1234.50"),
        ("bad-date", f"X,{initech},,,,AN-1,1,USD,01/11/2026", "closed_on", "YYYY-MM-DD"),
        ("impossible-date", f"X,{initech},,,,AN-1,1,USD,2026-02-30", "closed_on", "YYYY-MM-DD"),
        ("future", f"X,{initech},,,,AN-1,1,USD,{tomorrow}", "closed_on", "future"),
        ("bad-currency", f"X,{initech},,,,AN-1,1,US,2026-11-01", "currency", "three-letter"),
        ("currency-mismatch", f"X,{initech},,,,AN-1,1,EUR,2026-11-01", "currency", "is in USD"),
        ("unknown-id", "X,999999,,,,AN-1,1,USD,2026-11-01", "registration_id", "no approved"),
        (
            "other-tenant",
            f"X,{b_registration},,,,CORE,1,EUR,2026-11-01",
            "registration_id",
            "no approved",
        ),
        (
            "not-approved",
            f"X,{deals['submitted'].pk},,,,AN-1,1,USD,2026-11-01",
            "registration_id",
            "no approved",
        ),
        (
            "wrong-partner",
            f"X,{initech},q.example,,,AN-1,1,USD,2026-11-01",
            "partner_domain",
            "belongs to Partner P",
        ),
        ("bad-id", "X,abc,,,,AN-1,1,USD,2026-11-01", "registration_id", "number"),
        ("no-ref", f",{initech},,,,AN-1,1,USD,2026-11-01", "order_ref", "required"),
        ("no-amount", f"X,{initech},,,,AN-1,,USD,2026-11-01", "amount", "required"),
        ("nothing-to-match", "X,,,,,AN-1,1,USD,2026-11-01", "registration_id", "partner_domain"),
        (
            "no-customer",
            "X,,pp.example,,,AN-1,1,USD,2026-11-01",
            "customer_domain",
            "customer_name",
        ),
        (
            "unknown-partner",
            "X,,nobody.example,,Initech,AN-1,1,USD,2026-11-01",
            "partner_domain",
            "No partner",
        ),
        (
            "no-match",
            "X,,q.example,initech.example,,AN-1,1,USD,2026-11-01",
            "customer_domain",
            "no approved or won",
        ),
        (
            "duplicate-line",
            f"ORD-0,{initech},,,,CORE,1,USD,2026-11-01",
            "order_ref",
            "already in row 2",
        ),
    ]


def test_bad_lines_refuse_the_whole_file(client, world, deals):
    client.force_login(world.vendor_admin.user)
    first = f"ORD-0,{deals['initech'].pk},,,,CORE,10,USD,2026-11-01\n"
    for case, line, column, message in _bad_cases(deals, world):
        response = _upload(client, world, first + line + "\n")
        assert response.status_code == 400, case
        problems = response.context["problems"]
        assert [(p.row, p.column) for p in problems] == [(3, column)], (case, problems)
        assert message in problems[0].message, (case, problems[0].message)
        assert _lines(world.a) == [], case
        assert _state(world.a, deals["initech"])[0] == "approved", case


def test_an_ambiguous_customer_must_be_named_by_id(client, world, deals):
    with tenant_context(world.a.pk):
        second = register(
            world.p,
            world.p_rep.user,
            "Initech",
            protected_until=timezone.localdate(),
            products=[Product.objects.get(code="CORE")],
        )
    client.force_login(world.vendor_admin.user)
    response = _upload(client, world, "X,,pp.example,,Initech Inc.,AN-1,1,USD,2026-11-01\n")
    assert response.status_code == 400
    (problem,) = response.context["problems"]
    assert problem.column == "registration_id"
    assert f"#{deals['initech'].pk}" in problem.message and f"#{second.pk}" in problem.message
    # by domain it is unambiguous: only the first registration has initech.example
    response = _upload(client, world, "X,,pp.example,initech.example,,AN-1,1,USD,2026-11-01\n")
    assert response.status_code == 302
    assert _lines(world.a)[0][1] == deals["initech"].pk


def test_an_inactive_product_cannot_be_imported(client, world, deals):
    with tenant_context(world.a.pk):
        Product.objects.filter(code="AN-1").update(is_active=False)
    client.force_login(world.vendor_admin.user)
    response = _upload(client, world, f"X,{deals['initech'].pk},,,,AN-1,1,USD,2026-11-01\n")
    assert response.status_code == 400
    assert "not an active product" in response.context["problems"][0].message


@pytest.mark.parametrize(
    "header, message",
    [
        ("order_ref,amount\n", "Required columns are missing: product_code, currency, closed_on"),
        (HEADER.replace("amount", "value"), "Unknown column: value"),
    ],
)
def test_a_malformed_header_is_refused(client, world, deals, header, message):
    client.force_login(world.vendor_admin.user)
    response = _upload(client, world, "X,1\n", header=header)
    assert response.status_code == 400
    assert message in response.context["problems"][0].message
    assert _lines(world.a) == []


def test_only_managers_import_orders(client, world, deals):
    for who in (world.finance, world.p_admin, world.p_rep):
        client.force_login(who.user)
        assert _upload(client, world, _good(deals)).status_code == 403
        assert client.get(url(world, "console:orders_template")).status_code == 403
    assert _lines(world.a) == []


def test_the_template_lists_the_columns(client, world):
    client.force_login(world.channel_manager.user)
    response = client.get(url(world, "console:orders_template"))
    assert response.content.decode("utf-8-sig") == HEADER.replace(
        "closed_on\n", "closed_on,reverses_order_ref\r\n"
    )


def test_the_revenue_list_shows_lines_in_constant_queries(client, world, deals):
    client.force_login(world.finance.user)
    page = url(world, "console:revenue")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(page)
        assert response.status_code == 200
        return len(ctx.captured_queries), response

    before, response = queries()
    assert b"Customer of vendor-a" in response.content
    with tenant_context(world.a.pk):
        core = Product.objects.get(code="CORE")
        RevenueLine.objects.bulk_create(
            RevenueLine(
                partner=world.q,
                registration=deals["umbrella"],
                product=core,
                amount=Decimal(i),
                currency="USD",
                closed_on=datetime.date(2026, 10, 1),
                source="order_import",
                order_ref=f"ORD-{i}",
            )
            for i in range(20)
        )
    after, response = queries()
    assert after == before
    assert b"ORD-19" in response.content and b"Customer of vendor-b" not in response.content


def test_an_order_closed_in_year_1_is_refused(client, world, deals):
    client.force_login(world.vendor_admin.user)
    initech = deals["initech"].pk
    response = _upload(client, world, f"ORD-1,{initech},,,,AN-1,10,USD,0001-01-01\n")
    assert response.status_code == 400
    assert [(p.row, p.column) for p in response.context["problems"]] == [(2, "closed_on")]
    assert _lines(world.a) == []
