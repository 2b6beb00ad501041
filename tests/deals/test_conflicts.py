"""Conflict detection: the same customer however it is written, and nothing else."""

import datetime
from decimal import Decimal

import pytest

from deals.conflicts import conflicts_record
from deals.lifecycle import protection_claim
from deals.models import DealProduct, DealProtection, DealRegistration, DirectAccount, Product
from deals.normalise import customer_key
from prm.tenancy import tenant_context
from tests.deals.test_normalise import DIFFERENT_COMPANIES_ONE_SCRIPT, SAME_COMPANY_TWO_WAYS


def _register(partner, user, name, domain="", products=(), status="submitted"):
    registration = DealRegistration.objects.create(
        partner=partner,
        registered_by=user,
        customer_name=name,
        customer_key=customer_key(name),
        customer_domain=domain,
        customer_country="US",
        estimated_value=Decimal("5000"),
        currency="USD",
        expected_close_date=datetime.date(2030, 6, 1),
        status=status,
    )
    for product in products:
        DealProduct.objects.create(registration=registration, product=product)
    return registration


@pytest.fixture
def catalogue(world):
    with tenant_context(world.a.pk):
        return (
            Product.objects.create(code="A1", name="Analytics"),
            Product.objects.create(code="S1", name="Security"),
        )


def _conflicts(world, registration):
    with tenant_context(world.a.pk):
        return conflicts_record(registration=registration)


def test_acme_inc_and_acme_incorporated_with_one_domain_conflict(world, catalogue):
    analytics, _ = catalogue
    with tenant_context(world.a.pk):
        first = _register(world.p, world.p_rep.user, "ACME Inc.", "acme.example", [analytics])
        second = _register(
            world.q, world.q_rep.user, "Acme, Incorporated", "acme.example", [analytics]
        )
    conflicts = _conflicts(world, second)
    assert [(c.other_registration_id, c.match) for c in conflicts] == [(first.pk, "domain")]


def test_a_near_identical_name_without_domain_conflicts(world, catalogue):
    analytics, _ = catalogue
    with tenant_context(world.a.pk):
        first = _register(world.p, world.p_rep.user, "Globex Corporation", "", [analytics])
        second = _register(world.q, world.q_rep.user, "Globex Corp", "", [analytics])
        typo = _register(world.q, world.q_rep.user, "Globexx Corporation", "", [analytics])
    assert [c.other_registration_id for c in _conflicts(world, second)] == [first.pk]
    assert first.pk in [c.other_registration_id for c in _conflicts(world, typo)]
    assert all(
        c.match == "name" and c.similarity >= Decimal("0.55") for c in _conflicts(world, typo)
    )


def test_unrelated_names_do_not_conflict(world, catalogue):
    analytics, _ = catalogue
    with tenant_context(world.a.pk):
        _register(world.p, world.p_rep.user, "Initech LLC", "initech.example", [analytics])
        other = _register(
            world.q, world.q_rep.user, "Umbrella Health", "umbrella.example", [analytics]
        )
    assert _conflicts(world, other) == []


def test_no_conflict_without_shared_products_or_with_own_or_closed_deals(world, catalogue):
    analytics, security = catalogue
    with tenant_context(world.a.pk):
        _register(world.p, world.p_rep.user, "Hooli", "hooli.example", [analytics])
        _register(world.q, world.q_rep.user, "Hooli", "hooli.example", [analytics], status="lost")
        own = _register(world.q, world.q_rep.user, "Hooli Inc", "hooli.example", [analytics])
        other_product = _register(world.q, world.q_rep.user, "Hooli", "hooli.example", [security])
    assert [c.other_registration.partner_id for c in _conflicts(world, own)] == [world.p.pk]
    assert _conflicts(world, other_product) == []


def test_direct_accounts_conflict_by_domain_or_name(world, catalogue):
    analytics, _ = catalogue
    with tenant_context(world.a.pk):
        account = DirectAccount.objects.create(
            name="Stark Industries",
            name_key=customer_key("Stark Industries"),
            domain="stark.example",
        )
        by_domain = _register(
            world.p, world.p_rep.user, "SI Holdings", "stark.example", [analytics]
        )
        by_name = _register(world.p, world.p_rep.user, "Stark Industries Ltd", "", [analytics])
    assert [(c.direct_account_id, c.match) for c in _conflicts(world, by_domain)] == [
        (account.pk, "domain")
    ]
    assert [(c.direct_account_id, c.match) for c in _conflicts(world, by_name)] == [
        (account.pk, "name")
    ]


def test_another_tenants_registrations_never_conflict(world, catalogue):
    analytics, _ = catalogue
    with tenant_context(world.b.pk):
        b_product = Product.objects.create(code="A1", name="Analytics")
        _register(
            world.b_partner, world.b_rep.user, "Wayne Enterprises", "wayne.example", [b_product]
        )
    with tenant_context(world.a.pk):
        mine = _register(
            world.p, world.p_rep.user, "Wayne Enterprises", "wayne.example", [analytics]
        )
    assert _conflicts(world, mine) == []


@pytest.mark.parametrize("script, first, second", SAME_COMPANY_TWO_WAYS)
def test_the_same_company_in_any_script_conflicts(world, catalogue, script, first, second):
    analytics, _ = catalogue
    with tenant_context(world.a.pk):
        earlier = _register(world.p, world.p_rep.user, first, "", [analytics])
        later = _register(world.q, world.q_rep.user, second, "", [analytics])
    assert [c.other_registration_id for c in _conflicts(world, later)] == [earlier.pk]


@pytest.mark.parametrize("script, first, second", DIFFERENT_COMPANIES_ONE_SCRIPT)
def test_different_companies_in_one_script_are_both_protected(
    world, catalogue, script, first, second
):
    analytics, _ = catalogue
    with tenant_context(world.a.pk):
        one = _register(world.p, world.p_rep.user, first, "", [analytics], status="approved")
        other = _register(world.q, world.q_rep.user, second, "", [analytics], status="approved")
        protection_claim(registration=one)
        protection_claim(registration=other)  # refused before: both keys were ""
        assert DealProtection.objects.filter(registration__in=[one, other]).count() == 2
    assert _conflicts(world, other) == []
