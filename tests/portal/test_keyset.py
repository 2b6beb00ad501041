"""Keyset pages: walking forward and back visits every row exactly once, even
among equal timestamps; a deep page costs the queries of the first; a
tampered cursor starts at the top instead of failing."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deals.models import DealRegistration
from portal.keyset import keyset_page
from prm.tenancy import tenant_context


@pytest.fixture
def many(world):
    """47 more registrations of P in A; groups of five share one timestamp."""
    with tenant_context(world.a.pk):
        base = timezone.now() - datetime.timedelta(days=3)
        made = DealRegistration.objects.bulk_create(
            DealRegistration(
                partner=world.p,
                registered_by=world.p_rep.user,
                customer_name=f"Paged {n}",
                customer_key=f"paged {n}",
                customer_country="DE",
                estimated_value=Decimal("10.00"),
                currency="EUR",
                expected_close_date=datetime.date(2027, 6, 1),
                status="approved",
            )
            for n in range(47)
        )
        for n, registration in enumerate(made):
            stamp = base + datetime.timedelta(minutes=n // 5)
            DealRegistration.objects.filter(pk=registration.pk).update(created_at=stamp)
        yield world


def _walk(queryset, size, **cursor):
    page = keyset_page(queryset, order=("created_at", "id"), descending=True, size=size, **cursor)
    return page, [row.pk for row in page.rows]


def test_forward_and_back_visit_every_row_once(many):
    rows = DealRegistration.objects.all()
    expected = list(rows.order_by("-created_at", "-id").values_list("pk", flat=True))
    seen, page = [], None
    page, ids = _walk(rows, 10)
    seen += ids
    assert page.previous_cursor is None
    while page.next_cursor:
        page, ids = _walk(rows, 10, after=page.next_cursor)
        seen += ids
    assert seen == expected
    back = list(ids)
    while page.previous_cursor:
        page, ids = _walk(rows, 10, before=page.previous_cursor)
        back = ids + back
    assert back == expected
    assert page.count == len(expected) and not page.count_capped


def _list(client, world, query=""):
    url = reverse("console:registrations", kwargs={"tenant_slug": world.a.slug})
    return client.get(url + query)


def test_a_deep_page_costs_what_the_first_costs(client, many):
    client.force_login(many.channel_manager.user)
    with CaptureQueriesContext(connection) as first:
        response = _list(client, many)
    cursor = re.search(r'after=([\w-]+)"', response.content.decode()).group(1)
    for _ in range(3):
        page = _list(client, many, f"?after={cursor}")
        found = re.search(r'after=([\w-]+)"', page.content.decode())
        cursor = found.group(1) if found else cursor
    with CaptureQueriesContext(connection) as deep:
        assert _list(client, many, f"?after={cursor}").status_code == 200
    assert len(deep) == len(first)


@pytest.mark.parametrize("cursor", ["garbage", "W10", "WyJ4IiwgMV0", "%00", "eyJhIjoxfQ"])
def test_a_tampered_cursor_starts_at_the_top(client, many, cursor):
    client.force_login(many.channel_manager.user)
    top = _list(client, many)
    tampered = _list(client, many, f"?after={cursor}&before={cursor}")
    assert tampered.status_code == 200
    assert [r.pk for r in tampered.context["registrations"]] == [
        r.pk for r in top.context["registrations"]
    ]


def test_the_queue_and_conflicts_page_by_cursor(client, many):
    client.force_login(many.channel_manager.user)
    for name in ("console:registration_queue", "console:registration_conflicts"):
        url = reverse(name, kwargs={"tenant_slug": many.a.slug})
        assert client.get(url).status_code == 200
        assert client.get(url + "?after=garbage").status_code == 200
