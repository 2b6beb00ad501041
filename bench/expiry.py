"""Benchmark: expire 100,000 due deal registrations in one run.

    python bench/expiry.py [--rows N] [--partners N] [--keep]

Uses the project's settings (``DJANGO_SETTINGS_MODULE``, default
``prm.settings.dev``) and therefore the configured database, or the embedded
one.  Everything runs as the app role under row-level security, exactly as in
production: a scratch tenant is created, filled set-based (``INSERT … SELECT
generate_series``) with approved registrations whose protection already ended,
their products and protection rows (customer name and domain per product),
then ``registrations_expire`` runs once and is timed, the result is verified,
and the scratch data is deleted again (unless ``--keep``).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from deals.models import Product  # noqa: E402
from deals.services.expiry import registrations_expire  # noqa: E402
from partners.models import Partner, PartnerType  # noqa: E402
from prm.models import Tenant, User  # noqa: E402
from prm.tenancy import tenant_context  # noqa: E402

PRODUCTS = 5

# One statement, no joins: each registration's product follows from its id, and
# its protection rows (customer name and domain for that product) are written
# from the same RETURNING rows.
_GENERATE = """
WITH registrations AS (
    INSERT INTO deals_dealregistration (
        tenant_id, created_at, updated_at, customer_name, customer_key, customer_domain,
        customer_country, contact_name, contact_email, contact_phone, estimated_value,
        currency, expected_close_date, stage, notes, status, submitted_at, decided_at,
        protected_until, extensions_used, extension_reason, lost_reason, competitor,
        partner_id, registered_by_id
    )
    SELECT %(tenant)s, now(), now(), 'Bench customer ' || g, 'bench customer ' || g,
           'customer' || g || '.bench.example', 'US', '', '', '', 1000 + (g %% 5000), 'USD',
           %(today)s::date + 30, 'proposal', '', 'approved', now(), now(),
           %(today)s::date - (1 + g %% 60), 0, '', '', '',
           (%(partners)s::bigint[])[1 + g %% %(n_partners)s], %(user)s
      FROM generate_series(1, %(rows)s) AS g
    RETURNING id, customer_key, customer_domain,
              (%(products)s::bigint[])[1 + id %% %(n_products)s] AS product_id
), lines AS (
    INSERT INTO deals_dealproduct (tenant_id, registration_id, product_id)
    SELECT %(tenant)s, id, product_id FROM registrations
)
INSERT INTO deals_dealprotection (tenant_id, registration_id, customer_key, product_id)
SELECT %(tenant)s, id, k.key, product_id
  FROM registrations
 CROSS JOIN LATERAL (VALUES (customer_key), (customer_domain)) AS k(key)
"""
_CLEANUP_TABLES = [
    "deals_dealtransition",
    "deals_dealprotection",
    "deals_dealproduct",
    "deals_dealregistration",
    "deals_product",
    "deals_dealsettings",
    "prm_auditevent",
    "partners_partner",
]


def _count(sql: str, params) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def generate(tenant: Tenant, user: User, *, rows: int, partners: int) -> float:
    started = time.perf_counter()
    with tenant_context(tenant.pk):
        partner_ids = [
            p.pk
            for p in Partner.objects.bulk_create(
                Partner(name=f"Bench partner {i}", partner_type=PartnerType.RESELLER)
                for i in range(partners)
            )
        ]
        product_ids = [
            p.pk
            for p in Product.objects.bulk_create(
                Product(code=f"BENCH-{i}", name=f"Bench product {i}") for i in range(PRODUCTS)
            )
        ]
        params = {
            "tenant": tenant.pk,
            "today": timezone.localdate(),
            "partners": partner_ids,
            "n_partners": len(partner_ids),
            "products": product_ids,
            "n_products": len(product_ids),
            "user": user.pk,
            "rows": rows,
        }
        with connection.cursor() as cursor:
            cursor.execute(_GENERATE, params)
    return time.perf_counter() - started


def verify(tenant: Tenant, rows: int) -> None:
    with tenant_context(tenant.pk):
        params = {"tenant": tenant.pk}
        counts = {
            "expired": _count(
                "SELECT count(*) FROM deals_dealregistration "
                "WHERE tenant_id = %(tenant)s AND status = 'expired'",
                params,
            ),
            "still approved": _count(
                "SELECT count(*) FROM deals_dealregistration "
                "WHERE tenant_id = %(tenant)s AND status = 'approved'",
                params,
            ),
            "transitions": _count(
                "SELECT count(*) FROM deals_dealtransition "
                "WHERE tenant_id = %(tenant)s AND to_status = 'expired'",
                params,
            ),
            "protections": _count(
                "SELECT count(*) FROM deals_dealprotection WHERE tenant_id = %(tenant)s", params
            ),
        }
        again = registrations_expire(today=timezone.localdate())
    expected = {"expired": rows, "still approved": 0, "transitions": rows, "protections": 0}
    if counts != expected or again != 0:
        raise SystemExit(f"verification failed: {counts}, second run expired {again}")
    print(f"verified: {counts}; a second run expired {again}")


def cleanup(tenant: Tenant, user: User) -> None:
    with tenant_context(tenant.pk), connection.cursor() as cursor:
        for table in _CLEANUP_TABLES:
            cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [tenant.pk])
    Tenant.objects.filter(pk=tenant.pk).delete()
    User.objects.filter(pk=user.pk).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--partners", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the scratch tenant")
    args = parser.parse_args()

    token = uuid.uuid4().hex[:10]
    tenant = Tenant.objects.create(name=f"Bench {token}", slug=f"bench-expiry-{token}")
    user = User.objects.create_user(email=f"bench-{token}@bench.example")
    try:
        seconds = generate(tenant, user, rows=args.rows, partners=args.partners)
        print(f"generated {args.rows:,} due registrations in {seconds:.1f} s")
        started = time.perf_counter()
        with tenant_context(tenant.pk):
            expired = registrations_expire(today=timezone.localdate())
        elapsed = time.perf_counter() - started
        print(
            f"expired {expired:,} registrations in {elapsed:.2f} s "
            f"({expired / elapsed:,.0f} rows/s) — one run, one transaction, app role under RLS"
        )
        print(
            f"machine: {os.cpu_count()} CPU(s), {platform.machine()}, "
            f"PostgreSQL {connection.pg_version}"
        )
        verify(tenant, args.rows)
    finally:
        if args.keep:
            print(f"kept scratch tenant {tenant.slug}")
        else:
            cleanup(tenant, user)
            print("scratch data deleted")


if __name__ == "__main__":
    main()
