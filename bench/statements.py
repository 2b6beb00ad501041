"""Benchmark: payout statements — one statement of 1,000 line items (time and
peak memory), and the 1,000 statements of a run rendered one by one as the
workers render them, with the run's progress.

    python bench/statements.py [--payees N] [--items N]
    python bench/statements.py --drop bench-statements-<token>   # a run stopped midway

Uses the project's settings (``DJANGO_SETTINGS_MODULE``, default
``prm.settings.dev`` with ``DEBUG`` off) and therefore the configured database
(``DATABASE_URL``), or the embedded one; migrate it first.  Everything runs as
the app role under row-level security.

A scratch tenant is built set-based (``INSERT … SELECT generate_series``):
N partners with a payout profile and one won registration and revenue line
each, and one more partner with M won registrations and lines; two
commission programs (one for the N partners, one for the big partner), whose
runs of the last quarter are calculated by the real calculation and
approved.  Then:

1. the big partner's run: its one statement is issued and rendered (read,
   HTML, PDF, file) — time, process peak RSS and its growth, PDF pages;
2. the wide run: its N statements are issued (timed), then each render task
   is run in this process exactly as a worker runs it (``tenant_task``
   wrapper, outbox claim, one transaction per statement), printing the
   progress the run's page shows (``statement_progress``) every 10 %.

Messages published to the broker go to queues of this run only, which are
purged at the end; statement files go to a scratch media directory, deleted
at the end; the scratch tenant is deleted as the owner role (approved runs
are frozen by triggers, which the deletion lifts inside its transaction).
"""

from __future__ import annotations

import argparse
import atexit
import datetime
import gc
import io
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

TOKEN = uuid.uuid4().hex[:10]
QUEUE_PREFIX = f"bench-statements-{TOKEN}"
MEDIA_ROOT = tempfile.mkdtemp(prefix="prm-bench-statements-")
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.dev")
os.environ.setdefault("DEBUG", "false")
os.environ["PRM_QUEUE_PREFIX"] = QUEUE_PREFIX
os.environ["MEDIA_ROOT"] = MEDIA_ROOT

import django  # noqa: E402
import owner_db  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from deals.models import Product  # noqa: E402
from incentives.models import Statement  # noqa: E402
from incentives.program_rules import ProgramTerms  # noqa: E402
from incentives.selectors.statements import statement_progress  # noqa: E402
from incentives.services.programs import program_activate, program_create  # noqa: E402
from incentives.services.runs import (  # noqa: E402
    payout_run_approve,
    payout_run_calculate,
    payout_run_create,
)
from incentives.services.statements import RENDER, statements_issue  # noqa: E402
from incentives.tasks.statements import statement_render as render_task  # noqa: E402
from prm.models import Membership, OutboxMessage, Tenant, User  # noqa: E402
from prm.rls import tenant_tables  # noqa: E402
from prm.roles import Role  # noqa: E402
from prm.tenancy import tenant_context  # noqa: E402

TARGET_SECONDS = 3.0
TARGET_MIB = 200.0
FROZEN_TRIGGERS = [
    ("incentives_payoutrun", "payout_run_frozen"),
    *(
        (table, f"{table}_frozen_{op}")
        for table in ("incentives_payout", "incentives_payoutitem")
        for op in ("insert", "delete", "update")
    ),
]

_PARTNERS = """
INSERT INTO partners_partner (
    tenant_id, created_at, updated_at, name, legal_name, website, country, regions, industries,
    partner_type, segment, status, strengths, markets, certifications_held, customer_references
)
SELECT %(tenant)s, now(), now(), %(prefix)s || lpad(g::text, 5, '0'), '', '', 'DE', '{}', '{}',
       %(type)s, '', 'active', '', '', '', ''
  FROM generate_series(1, %(count)s) AS g
RETURNING id
"""

_PROFILES = """
INSERT INTO incentives_payoutprofile (
    tenant_id, created_at, updated_at, partner_id, legal_name, address, tax_id, payment_details
)
SELECT %(tenant)s, now(), now(), id, name || ' GmbH', 'Hauptstraße ' || id || E'\\n10115 Berlin',
       'DE' || lpad(id::text, 9, '0'), 'IBAN DE00 ' || id
  FROM partners_partner WHERE tenant_id = %(tenant)s
"""

# Won registrations with one revenue line each; the partner of line g is
# partners[1 + g % n].
_REVENUE = """
WITH registrations AS (
    INSERT INTO deals_dealregistration (
        tenant_id, created_at, updated_at, customer_name, customer_key, customer_domain,
        customer_country, contact_name, contact_email, contact_phone, estimated_value,
        currency, expected_close_date, stage, notes, status, submitted_at, decided_at,
        extensions_used, extension_reason, lost_reason, competitor, won_amount, closed_on,
        partner_id, registered_by_id
    )
    SELECT %(tenant)s, now(), now(), 'Bench customer ' || %(salt)s || '-' || g,
           'bench customer ' || %(salt)s || '-' || g, '', 'DE', '', '', '',
           1000 + g %% 9000, 'USD', %(closed)s, 'commit', '', 'won', now(), now(), 0, '', '',
           '', 1000 + g %% 9000, %(closed)s,
           (%(partners)s::bigint[])[1 + g %% %(n_partners)s], %(user)s
      FROM generate_series(1, %(count)s) AS g
    RETURNING id, partner_id, won_amount
)
INSERT INTO deals_revenueline (
    tenant_id, partner_id, registration_id, product_id, amount, currency, closed_on, source,
    order_ref, reason, created_at
)
SELECT %(tenant)s, partner_id, id, %(product)s, won_amount, 'USD', %(closed)s, 'registration',
       'SO-' || id, '', now()
  FROM registrations
"""


def _execute(sql: str, params: dict):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()] if cursor.description else cursor.rowcount


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def last_quarter() -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    start_month = 3 * ((today.month - 1) // 3) + 1
    this_quarter = datetime.date(today.year, start_month, 1)
    end = this_quarter - datetime.timedelta(days=1)
    return datetime.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end


class Scratch:
    def __init__(self) -> None:
        self.tenant = Tenant.objects.create(
            name=f"Bench statements {TOKEN}", slug=f"bench-statements-{TOKEN}"
        )
        self.users: list[int] = []
        self.members: dict[str, Membership] = {}
        with tenant_context(self.tenant.pk):
            for key, role in (
                ("manager", Role.CHANNEL_MANAGER),
                ("preparer", Role.FINANCE),
                ("approver", Role.FINANCE),
            ):
                user = User.objects.create_user(
                    email=f"bench-{TOKEN}-{key}@bench.example", full_name=f"Bench {key}"
                )
                self.users.append(user.pk)
                self.members[key] = Membership.objects.create(user=user, role=role)


def build(s: Scratch, *, payees: int, items: int):
    start, end = last_quarter()
    closed = start + datetime.timedelta(days=10)
    t = s.tenant.pk
    started = time.perf_counter()
    with tenant_context(t):
        product = Product.objects.create(code="BENCH", name="Bench product")
        wide = _execute(
            _PARTNERS,
            {"tenant": t, "prefix": "Bench partner ", "type": "reseller", "count": payees},
        )
        big = _execute(
            _PARTNERS, {"tenant": t, "prefix": "Bench big partner ", "type": "isv", "count": 1}
        )
        _execute(_PROFILES, {"tenant": t})
        common = {
            "tenant": t,
            "closed": closed,
            "product": product.pk,
            "user": s.members["manager"].user_id,
        }
        for salt, partners, count in (("w", wide, payees), ("b", big, items)):
            _execute(
                _REVENUE,
                {
                    **common,
                    "salt": salt,
                    "partners": partners,
                    "n_partners": len(partners),
                    "count": count,
                },
            )
    runs = {}
    for name, partner_type in (("wide", "reseller"), ("big", "isv")):
        with tenant_context(t):
            manager = s.members["manager"]
            program = program_create(
                terms=ProgramTerms(
                    name=f"Bench {name}",
                    kind="commission",
                    calendar="quarterly",
                    starts_on=datetime.date(start.year - 1, 1, 1),
                    ends_on=datetime.date(end.year + 1, 12, 31),
                    currency="USD",
                    percent=Decimal("10"),
                    eligible_types=(partner_type,),
                ),
                by=manager,
            )
            program = program_activate(program=program, by=manager)
            run = payout_run_create(program=program, day=start, as_of=end, by=s.members["preparer"])
        with tenant_context(t):
            payout_run_calculate(run_id=run.pk)
        with tenant_context(t):
            run.refresh_from_db()
            runs[name] = payout_run_approve(run=run, by=s.members["approver"])
    print(
        f"built: {payees:,} partners with one line each, one partner with {items:,} lines, "
        f"two approved runs ({time.perf_counter() - started:.1f} s)"
    )
    return runs


def _messages(t: int, statement_ids: list[int]) -> list[tuple[int, int]]:
    with tenant_context(t):
        rows = OutboxMessage.objects.filter(task_name=RENDER, delivered_at__isnull=True)
        by_statement = {m.args[0]: m.pk for m in rows}
    return [(sid, by_statement[sid]) for sid in statement_ids]


def _issue(s: Scratch, run) -> tuple[list[int], float]:
    t = s.tenant.pk
    started = time.perf_counter()
    with tenant_context(t):
        issued = statements_issue(run=run, by=s.members["approver"], language="en")
    took = time.perf_counter() - started
    with tenant_context(t):
        ids = list(
            Statement.objects.filter(run=run).order_by("sequence").values_list("pk", flat=True)
        )
    assert issued.new == len(ids)
    return ids, took


def measure_big(s: Scratch, run, items: int) -> dict:
    t = s.tenant.pk
    (statement_id,), _ = _issue(s, run)
    ((_, message_id),) = _messages(t, [statement_id])
    gc.collect()
    before = rss_mib()
    started = time.perf_counter()
    render_task(t, statement_id, outbox_id=message_id)
    seconds = time.perf_counter() - started
    peak = peak_rss_mib()
    with tenant_context(t):
        statement = Statement.objects.get(pk=statement_id)
        assert statement.status == "ready", statement.error
        with statement.file.open("rb") as file:
            data = file.read()
    pages = _pages(data)
    return {
        "seconds": seconds,
        "peak": peak,
        "growth": peak - before,
        "baseline": before,
        "size": len(data),
        "pages": pages,
        "items": items,
    }


def _pages(data: bytes):
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return len(PdfReader(io.BytesIO(data)).pages)


def measure_wide(s: Scratch, run) -> dict:
    t = s.tenant.pk
    ids, issue_seconds = _issue(s, run)
    messages = _messages(t, ids)
    total = len(messages)
    step = max(1, total // 10)
    started = time.perf_counter()
    for done, (statement_id, message_id) in enumerate(messages, 1):
        render_task(t, statement_id, outbox_id=message_id)
        if done % step == 0 or done == total:
            with tenant_context(t):
                progress = statement_progress(run=run)
            print(
                f"  progress: {progress.ready:,} of {progress.total:,} ready ({progress.percent} %)"
                f" after {time.perf_counter() - started:.1f} s"
            )
    seconds = time.perf_counter() - started
    with tenant_context(t):
        sequences = list(
            Statement.objects.filter(run=run)
            .order_by("sequence")
            .values_list("sequence", flat=True)
        )
        assert statement_progress(run=run).ready == total
    assert sequences == list(range(sequences[0], sequences[0] + total)), "numbers have a gap"
    return {
        "count": total,
        "issue": issue_seconds,
        "seconds": seconds,
        "per": seconds / total,
        "peak": peak_rss_mib(),
    }


def drop_left_over(slug: str) -> None:
    """Delete the scratch tenant of a run that stopped before its clean-up."""
    token = slug.removeprefix("bench-statements-")
    tenant = Tenant.objects.filter(slug=slug).first()
    if not slug.startswith("bench-statements-") or tenant is None:
        raise SystemExit(f"no scratch tenant {slug}")
    s = Scratch.__new__(Scratch)
    s.tenant, s.members = tenant, {}
    s.users = list(
        User.objects.filter(
            email__startswith=f"bench-{token}-", email__endswith="@bench.example"
        ).values_list("pk", flat=True)
    )
    cleanup(s)
    print(f"deleted scratch tenant {slug}")


def cleanup(s: Scratch) -> None:
    """As the owner: lift the frozen-run triggers for this transaction only,
    delete the tenant's rows from every table, put the triggers back."""
    conn = owner_db.connect()
    t = s.tenant.pk
    try:
        with conn, conn.cursor() as cursor:
            cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(t)])
            for table, trigger in FROZEN_TRIGGERS:
                cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER "{trigger}"')
            for table in tenant_tables():
                cursor.execute(f'DELETE FROM "{table}" WHERE tenant_id = %s', [t])
            # The deferred foreign-key checks must run before a trigger can be
            # altered again; with every row of the tenant gone they all pass.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, trigger in FROZEN_TRIGGERS:
                cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER "{trigger}"')
            cursor.execute("DELETE FROM account_emailaddress WHERE user_id = ANY(%s)", [s.users])
            cursor.execute("DELETE FROM prm_user WHERE id = ANY(%s)", [s.users])
            cursor.execute("DELETE FROM prm_tenant WHERE id = %s", [t])
    finally:
        conn.close()


def purge_queues() -> None:
    try:
        import redis

        broker = redis.Redis.from_url(settings.REDIS_URL)
        for key in broker.scan_iter(match=f"*{QUEUE_PREFIX}*"):
            broker.delete(key)
    except Exception as error:  # noqa: BLE001  (a leftover queue is no reason to fail)
        print(f"queues {QUEUE_PREFIX}.* not purged: {error}")


def flag(over: bool) -> str:
    return " **over target**" if over else ""


def machine() -> str:
    major = connection.pg_version // 10000
    return (
        f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"PostgreSQL {major}, app role under RLS"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--payees", type=int, default=1_000, help="statements of the wide run")
    parser.add_argument("--items", type=int, default=1_000, help="line items of the big statement")
    parser.add_argument("--drop", metavar="SLUG", help="only delete a left-over scratch tenant")
    args = parser.parse_args()
    if args.drop:
        drop_left_over(args.drop)
        return
    print(f"machine: {machine()}")
    s = Scratch()
    try:
        runs = build(s, payees=args.payees, items=args.items)
        big = measure_big(s, runs["big"], args.items)
        print("\nrendering the run's statements one by one, as the workers do:")
        wide = measure_wide(s, runs["wide"])
    finally:
        cleanup(s)
        purge_queues()
    print("\n## Results\n")
    print("| measurement | time | memory | notes |")
    print("| --- | --- | --- | --- |")
    print(
        f"| one statement of {big['items']:,} line items (read, HTML, PDF, file) "
        f"| {big['seconds']:.2f} s{flag(big['seconds'] > TARGET_SECONDS)} "
        f"| peak RSS {big['peak']:.0f} MiB{flag(big['peak'] > TARGET_MIB)} "
        f"(+{big['growth']:.0f} MiB over {big['baseline']:.0f} MiB before) "
        f"| {big['pages']} pages, {big['size'] / 1024:.0f} KiB |"
    )
    print(
        f"| {wide['count']:,} statements of a run, one render task after the other "
        f"| {wide['seconds']:.1f} s ({wide['per'] * 1000:.0f} ms each, "
        f"{wide['count'] / wide['seconds']:.1f}/s per worker) "
        f"| peak RSS {wide['peak']:.0f} MiB "
        f"| issuing (numbering {wide['count']:,}, outbox): {wide['issue'] * 1000:.0f} ms |"
    )
    print(
        f"\nTargets: one statement of 1,000 items ≤ {TARGET_SECONDS:.0f} s "
        f"and ≤ {TARGET_MIB:.0f} MiB."
    )


if __name__ == "__main__":
    main()
