"""Shared set-up of the registration tests: a catalogue in both tenants, Q allowed
to register too, and quick ways to make registrations and form posts."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from deals.models import DealProduct, DealRegistration, DealTransition, Product
from deals.normalise import customer_key
from partners.models import AgreementAcceptance
from partners.selectors.agreements import current_agreement
from prm.tenancy import tenant_context


def url(name, world, **kwargs):
    return reverse(name, kwargs={"tenant_slug": world.a.slug, **kwargs})


def in_a(world):
    return tenant_context(world.a.pk)


def future(days=60) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def build_catalogue(world) -> SimpleNamespace:
    with tenant_context(world.a.pk):
        analytics = Product.objects.create(code="A1", name="Analytics", product_line="Data")
        security = Product.objects.create(code="S1", name="Security", product_line="Protect")
        retired = Product.objects.create(code="OLD", name="Retired", is_active=False)
        AgreementAcceptance.objects.create(
            agreement=current_agreement(), partner=world.q, user=world.q_rep.user
        )
    with tenant_context(world.b.pk):
        b_product = Product.objects.create(code="B1", name="B analytics")
    return SimpleNamespace(
        analytics=analytics, security=security, retired=retired, b_product=b_product
    )


@pytest.fixture
def cat(world):
    return build_catalogue(world)


def make(world, partner, user, name="Initech", domain="initech.example", products=(), **fields):
    """A registration written straight to the database (for set-up only)."""
    values = {
        "customer_country": "DE",
        "estimated_value": Decimal("1000.00"),
        "currency": "EUR",
        "expected_close_date": future(),
        "status": "draft",
    }
    values.update(fields)
    with tenant_context(world.a.pk):
        registration = DealRegistration.objects.create(
            partner=partner,
            registered_by=user,
            customer_name=name,
            customer_key=customer_key(name),
            customer_domain=domain,
            **values,
        )
        DealProduct.objects.bulk_create(
            [DealProduct(registration=registration, product=p) for p in products]
        )
    return registration


def fetch(world, registration) -> DealRegistration:
    with tenant_context(world.a.pk):
        return DealRegistration.objects.get(pk=registration.pk)


def transitions(world, registration) -> list[tuple[str, str]]:
    with tenant_context(world.a.pk):
        return list(
            DealTransition.objects.filter(registration=registration).values_list(
                "from_status", "to_status"
            )
        )


def form_data(cat, **overrides) -> dict:
    data = {
        "customer_name": "Umbrella Corporation",
        "customer_domain": "https://www.umbrella.example/about",
        "customer_country": "de",
        "contact_name": "Alice Wesker",
        "contact_email": "alice@umbrella.example",
        "contact_phone": "+49 30 1",
        "product_ids": [cat.analytics.pk, cat.security.pk],
        "estimated_value": "25000.50",
        "currency": "eur",
        "expected_close_date": future().isoformat(),
        "stage": "proposal",
        "notes": "Budget approved",
        "action": "draft",
    }
    data.update(overrides)
    return data


def test_support_catalogue_is_per_tenant(world, cat):
    with tenant_context(world.a.pk):
        assert set(Product.objects.values_list("code", flat=True)) == {"CORE", "A1", "S1", "OLD"}
    with tenant_context(world.b.pk):
        assert set(Product.objects.values_list("code", flat=True)) == {"CORE", "B1"}
