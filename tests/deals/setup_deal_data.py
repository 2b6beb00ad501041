"""Shared set-up for the deal tests: products, registrations, URLs (no tests of its own)."""

import datetime
from decimal import Decimal

from django.urls import reverse

from deals.models import DealProduct, DealProtection, DealRegistration, Product
from deals.normalise import customer_key
from prm.tenancy import tenant_context


def url(world, name, tenant=None, **kwargs):
    tenant = tenant or world.a
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})


def product(code="AN-1", name="Analytics", **fields) -> Product:
    return Product.objects.get_or_create(code=code, defaults={"name": name, **fields})[0]


def register(
    partner,
    user,
    name,
    *,
    status="approved",
    protected_until=None,
    domain="",
    products=(),
    currency="USD",
    reminder_sent_for=None,
) -> DealRegistration:
    """A registration in the current tenant, with its products and, when
    approved, its protection rows (as approval would leave them)."""
    registration = DealRegistration.objects.create(
        partner=partner,
        registered_by=user,
        customer_name=name,
        customer_key=customer_key(name),
        customer_domain=domain,
        customer_country="US",
        estimated_value=Decimal("5000.00"),
        currency=currency,
        expected_close_date=datetime.date(2030, 6, 1),
        status=status,
        protected_until=protected_until,
        reminder_sent_for=reminder_sent_for,
    )
    for item in products or [product()]:
        DealProduct.objects.create(registration=registration, product=item)
        if status == "approved":
            for key in {registration.customer_key, domain} - {""}:
                DealProtection.objects.create(
                    registration=registration, customer_key=key, product=item
                )
    return registration


def in_tenant(tenant, func, *args, **kwargs):
    with tenant_context(tenant.pk):
        return func(*args, **kwargs)
