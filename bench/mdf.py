"""Benchmark: market development funds at scale — allocating a period's funds
to 20,000 partners, and the deadline job expiring 40,000 unclaimed requests
and the funds of an ended period in one run.

    python bench/mdf.py [--partners N] [--requests-per-partner N] [--keep]

Uses the project's settings (``DJANGO_SETTINGS_MODULE``, default
``prm.settings.dev``) and therefore the configured database, or the embedded
one; migrate it first.  Everything runs as the app role under row-level
security.  A scratch tenant gets N active partners and an MDF program
(quarterly, a fixed allocation); last quarter's funds are allocated by the
real service (timed), approved requests whose claim window closed are
written set-based with their commitments and ledger entries, and then the
deadline job (``mdf_expire``) runs once (timed).  The result is verified: a
second run expires nothing, and every fund reconciles
(allocated = available + committed + claimed + paid + expired) and equals
the sums of its ledger.  The scratch tenant is deleted as the owner (the
ledger is append-only: its trigger is lifted inside that transaction).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.dev")

import django  # noqa: E402

django.setup()

import owner_db  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from incentives.periods import period_of  # noqa: E402
from incentives.program_rules import ProgramTerms  # noqa: E402
from incentives.services.mdf_expiry import mdf_expire  # noqa: E402
from incentives.services.mdf_funds import mdf_funds_allocate  # noqa: E402
from incentives.services.programs import program_activate, program_create  # noqa: E402
from partners.models import Partner, PartnerType  # noqa: E402
from prm.models import Membership, Tenant, User  # noqa: E402
from prm.rls import tenant_tables  # noqa: E402
from prm.roles import Role  # noqa: E402
from prm.tenancy import tenant_context  # noqa: E402

TOKEN = uuid.uuid4().hex[:10]
ALLOCATION = Decimal("5000.00")
REQUEST = Decimal("1000.00")

# Approved requests whose window closed, their commitments and the ledger
# entries of those commitments, in one statement.
_REQUESTS = """
WITH made AS (
    INSERT INTO incentives_mdfrequest (
        tenant_id, created_at, updated_at, fund_id, program_id, partner_id, requested_by_id,
        activity_type, title, description, starts_on, ends_on, expected_results, amount,
        status, approved_amount, decision_note, claim_deadline, decided_at, decided_by_id
    )
    SELECT %(tenant)s, now(), now(), f.id, f.program_id, f.partner_id, %(person)s,
           'event', 'Bench event ' || f.id || '-' || g, 'Bench', f.period_start,
           f.period_start, '', %(amount)s, 'approved', %(amount)s, '',
           f.period_start + 1, now(), %(person)s
    FROM incentives_mdffund f CROSS JOIN generate_series(1, %(per)s) AS g
    WHERE f.tenant_id = %(tenant)s
    RETURNING id, fund_id, partner_id
), funds AS (
    UPDATE incentives_mdffund f
       SET available = f.available - c.total, committed = f.committed + c.total
      FROM (SELECT fund_id, count(*) * %(amount)s AS total FROM made GROUP BY fund_id) c
     WHERE f.id = c.fund_id
    RETURNING f.id
)
INSERT INTO incentives_mdfentry
    (tenant_id, fund_id, partner_id, kind, amount, d_allocated, d_available, d_committed,
     d_claimed, d_paid, d_expired, request_id, note, created_at)
SELECT %(tenant)s, fund_id, partner_id, 'commit', %(amount)s, 0, -%(amount)s, %(amount)s,
       0, 0, 0, id, '', now()
FROM made
"""

# Funds that do not reconcile, or differ from the sums of their ledger.
_MISMATCHES = """
SELECT count(*) FROM incentives_mdffund f
JOIN (SELECT fund_id, sum(d_allocated) a, sum(d_available) av, sum(d_committed) c,
             sum(d_claimed) cl, sum(d_paid) p, sum(d_expired) e
      FROM incentives_mdfentry WHERE tenant_id = %(tenant)s GROUP BY fund_id) l
  ON l.fund_id = f.id
WHERE f.tenant_id = %(tenant)s
  AND (f.allocated <> f.available + f.committed + f.claimed + f.paid + f.expired
       OR (f.allocated, f.available, f.committed, f.claimed, f.paid, f.expired)
          <> (l.a, l.av, l.c, l.cl, l.p, l.e))
"""


def _one(sql: str, params: dict):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def create_scratch(partners: int) -> tuple[Tenant, Membership, list[int]]:
    tenant = Tenant.objects.create(name=f"Bench MDF {TOKEN}", slug=f"bench-mdf-{TOKEN}")
    user = User.objects.create_user(
        email=f"bench-{TOKEN}-manager@bench.example", full_name="Bench channel manager"
    )
    with tenant_context(tenant.pk):
        manager = Membership.objects.create(user=user, role=Role.CHANNEL_MANAGER)
        Partner.objects.bulk_create(
            (
                Partner(name=f"Bench partner {i}", partner_type=PartnerType.RESELLER)
                for i in range(partners)
            ),
            batch_size=5000,
        )
    return tenant, manager, [user.pk]


def run(partners: int, per_partner: int, keep: bool) -> None:
    today = timezone.localdate()
    this = period_of("quarterly", datetime.date.min, datetime.date.max, today)
    last = period_of(
        "quarterly", datetime.date.min, datetime.date.max, this.start - datetime.timedelta(1)
    )
    tenant, manager, users = create_scratch(partners)
    try:
        with tenant_context(tenant.pk):
            terms = ProgramTerms(
                name="Bench MDF",
                kind="mdf",
                calendar="quarterly",
                starts_on=datetime.date(today.year - 2, 1, 1),
                ends_on=datetime.date(today.year + 1, 12, 31),
                currency="USD",
                mdf_allocation="fixed",
                fixed_amount=ALLOCATION,
            )
            program = program_activate(program=program_create(terms=terms, by=manager), by=manager)
            started = time.perf_counter()
            funds = mdf_funds_allocate(program=program, day=last.start, by=manager)
            allocate = time.perf_counter() - started
            made = _execute_requests(tenant, manager, per_partner)
        owner_db.vacuum_analyse(
            ["incentives_mdffund", "incentives_mdfrequest", "incentives_mdfentry"]
        )
        with tenant_context(tenant.pk):
            started = time.perf_counter()
            expired = mdf_expire(today=today)
            expire = time.perf_counter() - started
            again = mdf_expire(today=today)
            mismatches = _one(_MISMATCHES, {"tenant": tenant.pk})
        ok = (
            expired == {"funds": funds, "requests": made}
            and again == {"funds": 0, "requests": 0}
            and mismatches == 0
        )
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores")
        print(f"allocate: {funds:,} funds and ledger entries in {allocate:.2f} s")
        print(
            f"expire: {expired['requests']:,} requests and {expired['funds']:,} funds "
            f"in {expire:.2f} s ({(expired['requests'] + expired['funds']) / expire:,.0f} rows/s)"
        )
        print(
            f"verified: second run {again}; funds not reconciling with their ledger: {mismatches}"
        )
        if not ok:
            raise SystemExit("verification failed")
    finally:
        if not keep:
            cleanup(tenant, users)


def _execute_requests(tenant: Tenant, manager: Membership, per_partner: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            _REQUESTS,
            {"tenant": tenant.pk, "person": manager.pk, "per": per_partner, "amount": REQUEST},
        )
        return cursor.rowcount


def cleanup(tenant: Tenant, users: list[int]) -> None:
    """As the owner: lift the ledger's append-only trigger for this transaction,
    delete the tenant's rows from every table, put the trigger back."""
    conn = owner_db.connect()
    try:
        with conn, conn.cursor() as cursor:
            cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant.pk)])
            cursor.execute("ALTER TABLE incentives_mdfentry DISABLE TRIGGER mdf_entry_append_only")
            for table in tenant_tables():
                cursor.execute(f'DELETE FROM "{table}" WHERE tenant_id = %s', [tenant.pk])
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE incentives_mdfentry ENABLE TRIGGER mdf_entry_append_only")
            cursor.execute("DELETE FROM account_emailaddress WHERE user_id = ANY(%s)", [users])
            cursor.execute("DELETE FROM prm_user WHERE id = ANY(%s)", [users])
            cursor.execute("DELETE FROM prm_tenant WHERE id = %s", [tenant.pk])
    finally:
        conn.close()


def drop_kept(slug: str) -> None:
    """Delete a scratch tenant an earlier ``--keep`` run left, with its people."""
    tenant = Tenant.objects.filter(slug=slug).first()
    if not slug.startswith("bench-mdf-") or tenant is None:
        raise SystemExit(f"no scratch tenant {slug}")
    token = slug.removeprefix("bench-mdf-")
    users = User.objects.filter(email__startswith=f"bench-{token}-")
    cleanup(tenant, list(users.values_list("pk", flat=True)))
    print(f"deleted scratch tenant {slug}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partners", type=int, default=20_000)
    parser.add_argument("--requests-per-partner", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the scratch tenant")
    parser.add_argument("--drop", metavar="SLUG", help="delete a kept scratch tenant")
    args = parser.parse_args()
    if args.drop:
        drop_kept(args.drop)
    else:
        run(args.partners, args.requests_per_partner, args.keep)
