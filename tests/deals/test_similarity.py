"""Name scores: pg_trgm's similarity, and generic words that do not make two
companies one; the vendor's threshold is the cut-off, also below 0.3; the
trigram index serves the check under row-level security."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from deals.conflicts import conflicts_record
from deals.models import DealProduct, DealRegistration, DealSettings, Product
from deals.normalise import customer_key
from deals.similarity import distinctive, name_score, similarity
from deals.trigram_rls import trigram_operator_state
from prm.tenancy import tenant_context
from tests.deals.test_normalise import DIFFERENT_COMPANIES_ONE_SCRIPT, SAME_COMPANY_TWO_WAYS

# Real companies that share trade words (and often a country) but nothing else.
SHARING_GENERIC_WORDS = [
    ("Teva Pharmaceutical Industries Ltd.", "Sun Pharmaceutical Industries Ltd."),
    ("Takeda Pharmaceutical Company Limited", "Otsuka Pharmaceutical Co., Ltd."),
    ("Samsung Electronics Co., Ltd.", "LG Electronics Inc."),
    ("Tata Consultancy Services", "Wipro Consultancy Services"),
    ("National Bank of Greece", "National Bank of Egypt"),
    ("Bank of America Corporation", "Bank of China Limited"),
    ("American Express Company", "American Airlines Group"),
    ("Astellas Pharma Inc.", "Eisai Pharma"),
    ("Royal Bank of Canada", "Royal Bank of Scotland"),
    ("Mitsubishi Heavy Industries", "Kawasaki Heavy Industries"),
    ("Deutsche Bank AG", "Deutsche Telekom AG"),
    ("China Construction Bank", "China Merchants Bank"),
    ("Emirates NBD", "Emirates Airline"),
    ("Commonwealth Bank of Australia", "National Australia Bank"),
]


def _keys():
    names = [n for pair in SAME_COMPANY_TWO_WAYS + DIFFERENT_COMPANIES_ONE_SCRIPT for n in pair[1:]]
    names += [n for pair in SHARING_GENERIC_WORDS for n in pair]
    names += ["Globex", "Globexx Corporation", "a", "x y z", "3M", "Initech 2"]
    return [customer_key(name) for name in names]


def test_similarity_is_pg_trgms(db):
    keys = _keys()
    pairs = [(a, b) for a in keys[:25] for b in keys[10:40]]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT similarity(a, b) FROM unnest(%s::text[], %s::text[]) AS t(a, b)",
            [[a for a, _ in pairs], [b for _, b in pairs]],
        )
        expected = [row[0] for row in cursor.fetchall()]
    assert [round(similarity(a, b), 5) for a, b in pairs] == [round(e, 5) for e in expected]


def test_generic_words_are_not_what_tells_a_company_apart():
    assert distinctive("teva pharmaceutical ind") == "teva"
    assert distinctive("natl bank of greece") == "greece"
    assert distinctive("bank of america") == "bank of america"  # nothing else is left
    assert name_score("globex", "globex") == 1.0


@pytest.mark.parametrize("first, second", SHARING_GENERIC_WORDS)
def test_companies_sharing_generic_words_score_below_the_default_threshold(first, second):
    default = DealSettings._meta.get_field("name_similarity").default
    assert name_score(customer_key(first), customer_key(second)) < default


def test_the_generic_words_alone_would_have_passed_the_threshold():
    """So the tests above do test something: by the keys alone several pairs
    of different companies pass the default threshold."""
    default = DealSettings._meta.get_field("name_similarity").default
    passing = [
        (a, b)
        for a, b in SHARING_GENERIC_WORDS
        if similarity(customer_key(a), customer_key(b)) >= default
    ]
    assert len(passing) >= 2, passing


def _register(world, partner, user, name, product, status="submitted"):
    registration = DealRegistration.objects.create(
        partner=partner,
        registered_by=user,
        customer_name=name,
        customer_key=customer_key(name),
        customer_country="US",
        estimated_value=Decimal("5000"),
        currency="USD",
        expected_close_date=datetime.date(2030, 6, 1),
        status=status,
    )
    DealProduct.objects.create(registration=registration, product=product)
    return registration


def test_companies_sharing_generic_words_do_not_conflict(world):
    with tenant_context(world.a.pk):
        product = Product.objects.create(code="P1", name="Platform")
        for first, _second in SHARING_GENERIC_WORDS:
            _register(world, world.p, world.p_rep.user, first, product)
        later = [
            _register(world, world.q, world.q_rep.user, second, product)
            for _first, second in SHARING_GENERIC_WORDS
        ]
        found = {r.customer_name: conflicts_record(registration=r) for r in later}
    assert {name: rows for name, rows in found.items() if rows} == {}


def test_a_threshold_below_pg_trgms_default_cut_off_is_honoured(world):
    a, b = "Fuji Electric", "Fuji Heavy Industries"
    score = name_score(customer_key(a), customer_key(b))
    assert 0.15 < score < 0.3  # below pg_trgm's own 0.3 cut-off
    with tenant_context(world.a.pk):
        product = Product.objects.create(code="P1", name="Platform")
        DealSettings.objects.update_or_create(defaults={"name_similarity": Decimal("0.15")})
        earlier = _register(world, world.p, world.p_rep.user, a, product)
        later = _register(world, world.q, world.q_rep.user, b, product)
        assert [c.other_registration_id for c in conflicts_record(registration=later)] == [
            earlier.pk
        ]
        DealSettings.objects.update(name_similarity=Decimal("0.3"))
        assert conflicts_record(registration=later) == []


def test_the_trigram_operator_may_run_before_the_tenant_policy(db):
    """Without it the app role's conflict check cannot use the GIN index of
    names and reads every active registration (bench/scale.py shows the cost);
    migrate marks pg_trgm's operator leakproof when run by a superuser."""
    assert trigram_operator_state() == "leakproof"
