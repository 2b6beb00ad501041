"""Benchmark: one quarter's payout calculation at scale, in SQL and row by row.

    python bench/payouts.py [--partners N] [--lines N] [--reversals N] [--runs N]
                            [--programs retroactive,marginal,commission] [--no-python]
                            [--explain] [--keep]
    python bench/payouts.py --drop bench-payouts-<token>   # delete a tenant kept before

Uses the project's settings (``DJANGO_SETTINGS_MODULE``, default
``prm.settings.dev`` with ``DEBUG`` off unless the environment says otherwise)
and therefore the configured database, migrated beforehand.  Everything runs
as the app role under row-level security, exactly as in production.

A scratch tenant is built set-based (``INSERT … SELECT generate_series``):
partners in tiers with rebate multipliers, products, won registrations, won
revenue lines in the last ended quarter (some in EUR and GBP, with weekly and
monthly exchange rates), and reversals of some of them.  For each program (a
retroactive and a marginal quarterly rebate, a commission) a payout run is
opened with ``payout_run_create`` and calculated by calling
``payout_run_calculate`` inside the tenant, as the worker would; then it is
calculated again ``--runs`` times (``payout_run_recalculate`` +
``payout_run_calculate``; the payout tables are vacuumed before each, as
autovacuum would between two recalculations), and the median and p95 are
printed.  The same run is then computed the straightforward way — the ORM
reads the lines, Python converts, groups and rates them
(``incentives.brackets.rebate_lines`` per partner for the rebates) and saves
every payout and item one by one — in a transaction that is rolled back, and
both results are compared partner by partner.  At the end the scratch tenant
and its people are deleted (unless ``--keep``).
"""

from __future__ import annotations

import argparse
import bisect
import datetime
import math
import os
import platform
import statistics
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

TOKEN = uuid.uuid4().hex[:10]
# The calculation tasks that opening and recalculating a run publish go to
# queues of this run only, which no worker consumes (the benchmark calculates
# itself); they are deleted at the end.
QUEUE_PREFIX = f"bench-payouts-{TOKEN}"

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.dev")
os.environ.setdefault("DEBUG", "false")  # as served: no query log
os.environ["PRM_QUEUE_PREFIX"] = QUEUE_PREFIX

import django  # noqa: E402
import owner_db  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from deals.models import Product, RevenueLine  # noqa: E402
from incentives.brackets import Bracket, RevenueInput, money, rebate_lines  # noqa: E402
from incentives.models import (  # noqa: E402
    ExchangeRate,
    Payout,
    PayoutItem,
    PayoutRun,
    Program,
    ProgramBracket,
    ProgramRate,
)
from incentives.periods import Period, period_of  # noqa: E402
from incentives.program_rules import ProgramTerms, RateTerm  # noqa: E402
from incentives.services.programs import program_activate, program_create  # noqa: E402
from incentives.services.runs import (  # noqa: E402
    payout_run_calculate,
    payout_run_create,
    payout_run_recalculate,
)
from partners.models import Partner, Tier  # noqa: E402
from prm.models import Membership, Tenant, User  # noqa: E402
from prm.rls import tenant_tables  # noqa: E402
from prm.roles import Role  # noqa: E402
from prm.tenancy import tenant_context  # noqa: E402

D = Decimal
CALCULATION_TARGET_S = 10.0  # median and p95 of one calculation
PRODUCTS = 30
PAYOUT_CURRENCY = "USD"
# Share of the won lines in each currency (per cent), the rest in USD.
FOREIGN = {"EUR": 15, "GBP": 5}
# Share of the lines that come with a won registration (2–3 lines each); the
# others are imported orders.
REGISTRATION_SHARE = 0.4
LINES_PER_REGISTRATION = 2.5

# name, rank, rebate multiplier, share of partners (per cent); the rest have no tier.
TIERS = [
    ("Registered", 1, "1.000", 35),
    ("Silver", 2, "1.100", 25),
    ("Gold", 3, "1.250", 14),
    ("Platinum", 4, "1.500", 6),
]
COUNTRIES = "US US US US GB GB DE DE FR CA NL ES IT SE PL AU JP BR IN SG".split()
PARTNER_TYPES = ["reseller", "reseller", "reseller", "msp", "si", "isv", "distributor", "referral"]
SEGMENTS = ["smb", "mid_market", "enterprise", "public_sector"]
REBATE_TYPES = ("reseller", "msp", "si", "isv", "distributor")  # referral partners earn commission

LADDER = (Bracket(D("0"), D("2")), Bracket(D("100000"), D("4")), Bracket(D("500000"), D("6")))
MINIMUM_PAYOUT = D("50.00")

# A non-negative pseudo-random integer from an int4 expression and a salt.
_H = "(hashint4(({expr}) # {salt}) & 2147483647)"


def _h(expr: str, salt: int) -> str:
    return _H.format(expr=expr, salt=salt)


# A partner index from a hash, skewed so that a few partners sell a lot and
# most sell a little: 1 + floor(n · u³) gives the busiest of 2,000 partners
# ≈ 8 % of the lines and the quietest a third of the average.
def _skewed_partner(hash_sql: str) -> str:
    return (
        f"(%(partners)s::bigint[])"
        f"[1 + floor(%(n_partners)s * power(({hash_sql} %% 1000000) / 1000000.0, 3))::int]"
    )


def _currency(hash_sql: str) -> str:
    eur, gbp = FOREIGN["EUR"], FOREIGN["EUR"] + FOREIGN["GBP"]
    return (
        f"CASE WHEN {hash_sql} %% 100 < {eur} THEN 'EUR' "
        f"WHEN {hash_sql} %% 100 < {gbp} THEN 'GBP' ELSE 'USD' END"
    )


# --- data ------------------------------------------------------------------------------

_PARTNERS = f"""
INSERT INTO partners_partner (
    tenant_id, created_at, updated_at, name, legal_name, website, country, regions, industries,
    partner_type, segment, status, strengths, markets, certifications_held, customer_references,
    tier_id, tier_since
)
SELECT %(tenant)s, now(), now(), 'Bench partner ' || lpad(g::text, 5, '0'), '', '',
       (%(countries)s::text[])[1 + {_h("g", 12)} %% %(n_countries)s], '{{}}', '{{}}',
       (%(types)s::text[])[1 + {_h("g", 13)} %% %(n_types)s],
       (%(segments)s::text[])[1 + {_h("g", 14)} %% %(n_segments)s],
       'active', '', '', '', '', tier, CASE WHEN tier IS NOT NULL THEN current_date - 200 END
  FROM (
    SELECT g, (%(tier_by_percent)s::bigint[])[1 + {_h("g", 15)} %% 100] AS tier
      FROM generate_series(1, %(partners)s) AS g
  ) AS raw
"""

# Won registrations closed in the quarter; their amounts are their lines' sum
# (set once the lines exist).
_REGISTRATIONS = f"""
INSERT INTO deals_dealregistration (
    tenant_id, created_at, updated_at, customer_name, customer_key, customer_domain,
    customer_country, contact_name, contact_email, contact_phone, estimated_value, currency,
    expected_close_date, stage, notes, status, submitted_at, decided_at, decided_by_id,
    extensions_used, extension_reason, won_amount, closed_on, lost_reason, competitor,
    partner_id, registered_by_id
)
SELECT %(tenant)s, closed - interval '40 days', closed, 'Bench customer ' || g,
       'bench customer ' || g, 'customer-' || g || '.bench.example', 'US', '', '', '', 0,
       currency, closed::date, 'negotiation', '', 'won', closed - interval '40 days',
       closed - interval '38 days', %(manager)s, 0, '', 0, closed::date, '', '', partner,
       %(manager)s
  FROM (
    SELECT g, (%(start)s::date + {_h("g", 21)} %% %(days)s)::timestamptz AS closed,
           {_currency(_h("g", 22))} AS currency, {_skewed_partner(_h("g", 23))} AS partner
      FROM generate_series(1, %(deals)s) AS g
  ) AS raw
 ORDER BY g
"""

# Won revenue lines: the first ``deal_lines`` belong to the registrations (2–3
# each, with their partner, currency and close date), the others are imported
# orders.  Amounts: mostly 100–8,100 (most near the bottom), one line in fifty
# a large deal of 20,000–80,000.
_LINES = f"""
WITH deals AS (
    SELECT id, partner_id, currency, closed_on, row_number() OVER (ORDER BY id) AS r
      FROM deals_dealregistration WHERE tenant_id = %(tenant)s AND status = 'won'
), src AS (
    SELECT g, {_h("g", 31)} AS h1, {_h("g", 32)} AS h2, {_h("g", 33)} AS h3,
           {_h("g", 34)} AS h4, {_h("g", 35)} AS h5,
           CASE WHEN g <= %(deal_lines)s
                THEN 1 + (g::bigint - 1) * %(deals)s / %(deal_lines)s END AS r
      FROM generate_series(1, %(lines)s) AS g
)
INSERT INTO deals_revenueline (
    tenant_id, partner_id, registration_id, product_id, amount, currency, closed_on, source,
    order_ref, reverses_id, reason, created_at
)
SELECT %(tenant)s, COALESCE(d.partner_id, {_skewed_partner("h3")}), d.id,
       (%(products)s::bigint[])[1 + h1 %% %(n_products)s],
       round(100 + 8000 * power((h2 %% 1000000) / 1000000.0, 3)
             + CASE WHEN h1 %% 50 = 0 THEN 20000 + h4 %% 60000 ELSE 0 END, 2),
       COALESCE(d.currency, {_currency("h5")}),
       COALESCE(d.closed_on, %(start)s::date + h4 %% %(days)s),
       CASE WHEN d.id IS NULL THEN 'order_import' ELSE 'registration' END,
       CASE WHEN d.id IS NULL THEN 'BENCH-' || %(token)s || '-' || g ELSE '' END,
       NULL, '', now()
  FROM src LEFT JOIN deals AS d ON d.r = src.r
 ORDER BY g
"""

_DEAL_AMOUNTS = """
UPDATE deals_dealregistration AS d SET won_amount = s.total, estimated_value = s.total
  FROM (SELECT registration_id, SUM(amount) AS total FROM deals_revenueline
         WHERE tenant_id = %(tenant)s AND registration_id IS NOT NULL
         GROUP BY registration_id) AS s
 WHERE d.id = s.registration_id
"""

# Credit notes: a line taken back whole (two in three) or by half, 3–22 days
# after it closed, within the quarter.
_REVERSALS = f"""
INSERT INTO deals_revenueline (
    tenant_id, partner_id, registration_id, product_id, amount, currency, closed_on, source,
    order_ref, reverses_id, reason, created_at
)
SELECT tenant_id, partner_id, registration_id, product_id,
       -CASE WHEN h %% 3 = 0 THEN round(amount / 2, 2) ELSE amount END, currency,
       LEAST(closed_on + 3 + h %% 20, %(end)s::date), 'reversal', '', id, 'Credit note', now()
  FROM (
    SELECT rl.*, {_h("rl.id::int", 41)} AS h FROM deals_revenueline AS rl
     WHERE rl.tenant_id = %(tenant)s AND rl.reverses_id IS NULL
     ORDER BY {_h("rl.id::int", 42)} LIMIT %(reversals)s
  ) AS picked
"""


@dataclass
class Scratch:
    tenant: Tenant
    user_ids: list[int]
    admin: Membership | None = None
    finance: Membership | None = None
    quarter: Period | None = None
    tiers: dict[str, Tier] = field(default_factory=dict)
    product_ids: list[int] = field(default_factory=list)


def _execute(sql: str, params: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _rows(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _timed(label: str, work: Callable[[], object]):
    started = time.perf_counter()
    result = work()
    print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)
    return result


def last_ended_quarter(today: datetime.date) -> Period:
    this_quarter = period_of("quarterly", datetime.date.min, datetime.date.max, today)
    return period_of(
        "quarterly",
        datetime.date.min,
        datetime.date.max,
        this_quarter.start - datetime.timedelta(days=1),
    )


def create_scratch() -> Scratch:
    tenant = Tenant.objects.create(name=f"Bench payouts {TOKEN}", slug=f"bench-payouts-{TOKEN}")
    s = Scratch(tenant, [])
    people = {}
    for key, role, name in [
        ("admin", Role.VENDOR_ADMIN, "Bench vendor admin"),
        ("finance", Role.FINANCE, "Bench finance"),
    ]:
        user = User.objects.create_user(email=f"bench-{TOKEN}-{key}@bench.example", full_name=name)
        s.user_ids.append(user.pk)
        with tenant_context(tenant.pk):
            people[key] = Membership.objects.create(user=user, role=role)
    s.admin, s.finance = people["admin"], people["finance"]
    s.quarter = last_ended_quarter(timezone.localdate())
    return s


def generate(s: Scratch, *, partners: int, lines: int, reversals: int) -> None:
    quarter = s.quarter
    deal_lines = int(lines * REGISTRATION_SHARE)
    deals = max(1, int(deal_lines / LINES_PER_REGISTRATION)) if deal_lines else 0
    started = time.perf_counter()
    with tenant_context(s.tenant.pk):
        for name, rank, multiplier, _share in TIERS:
            s.tiers[name] = Tier.objects.create(
                name=name, rank=rank, rebate_multiplier=D(multiplier)
            )
        tier_by_percent = [None] * (100 - sum(share for *_, share in TIERS))
        for name, _rank, _multiplier, share in TIERS:
            tier_by_percent += [s.tiers[name].pk] * share
        s.product_ids = [
            p.pk
            for p in Product.objects.bulk_create(
                Product(code=f"B-{i:03d}", name=f"Product {i:03d}", product_line="Bench")
                for i in range(PRODUCTS)
            )
        ]
        common = {
            "tenant": s.tenant.pk,
            "token": TOKEN,
            "manager": s.admin.user_id,
            "start": quarter.start,
            "end": quarter.end,
            "days": (quarter.end - quarter.start).days + 1,
        }
        params = {
            **common,
            "partners": partners,
            "countries": COUNTRIES,
            "n_countries": len(COUNTRIES),
            "types": PARTNER_TYPES,
            "n_types": len(PARTNER_TYPES),
            "segments": SEGMENTS,
            "n_segments": len(SEGMENTS),
            "tier_by_percent": tier_by_percent,
        }
        _timed(f"{partners:,} partners in tiers", lambda: _execute(_PARTNERS, params))
        partner_ids = list(Partner.objects.order_by("pk").values_list("pk", flat=True))
        common.update(partners=partner_ids, n_partners=len(partner_ids))
        if deals:
            _timed(
                f"{deals:,} won registrations",
                lambda: _execute(_REGISTRATIONS, {**common, "deals": deals}),
            )
        params = {
            **common,
            "lines": lines,
            "deals": deals,
            "deal_lines": deal_lines if deals else 0,
            "products": s.product_ids,
            "n_products": len(s.product_ids),
        }
        _timed(f"{lines:,} won revenue lines", lambda: _execute(_LINES, params))

        def deal_amounts():
            # Nothing is analysed yet (that needs the owner and a commit): without
            # statistics the planner scans the lines once per registration.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_nestloop = off")
                updated = _execute(_DEAL_AMOUNTS, common)
                cursor.execute("RESET enable_nestloop")
            return updated

        _timed("registration amounts", deal_amounts)
        _timed(
            f"{reversals:,} reversals",
            lambda: _execute(_REVERSALS, {**common, "reversals": reversals}),
        )
        ExchangeRate.objects.bulk_create(exchange_rates(quarter))
    print(f"generated in {time.perf_counter() - started:.1f} s")


def exchange_rates(quarter: Period) -> list[ExchangeRate]:
    """EUR weekly and GBP monthly, the first effective on the quarter's first day."""
    rates = []
    day, week = quarter.start, 0
    while day <= quarter.end:
        drift = D((week * 7) % 11 - 5) / 1000
        rates.append(
            ExchangeRate(
                currency="EUR", to_currency="USD", rate=D("1.0800") + drift, effective_on=day
            )
        )
        day, week = day + datetime.timedelta(days=7), week + 1
    for month, rate in enumerate(("1.2650", "1.2710", "1.2580")):
        first = datetime.date(quarter.start.year, quarter.start.month + month, 1)
        rates.append(
            ExchangeRate(currency="GBP", to_currency="USD", rate=D(rate), effective_on=first)
        )
    return rates


# The tables the scratch data fills, vacuumed and analysed after the load.
TABLES = (
    "partners_partner",
    "partners_tier",
    "deals_product",
    "deals_dealregistration",
    "deals_revenueline",
    "incentives_exchangerate",
    "incentives_payoutrun",
    "incentives_payout",
    "incentives_payoutitem",
)


# What a recalculation deletes and writes again.
PAYOUT_TABLES = ("incentives_payoutrun", "incentives_payout", "incentives_payoutitem")


def vacuum_analyse(tables: tuple[str, ...] = TABLES) -> None:
    """VACUUM ANALYZE the bench's tables (see ``owner_db``)."""
    owner_db.vacuum_analyse(tables)


def describe(s: Scratch) -> None:
    with tenant_context(s.tenant.pk):
        by_currency = _rows(
            "SELECT currency, count(*) FROM deals_revenueline WHERE reverses_id IS NULL "
            "GROUP BY 1 ORDER BY 2 DESC"
        )
        by_source = _rows(
            "SELECT source, count(*) FROM deals_revenueline GROUP BY 1 ORDER BY 2 DESC"
        )
        # Volumes in USD per rebate-eligible partner, by the bracket they reach.
        volumes = _rows(
            """
            SELECT CASE WHEN v < 100000 THEN 'below 100,000' WHEN v < 500000 THEN '100,000-500,000'
                        ELSE '500,000 and more' END, count(*), round(max(v))
              FROM (SELECT rl.partner_id, SUM(rl.amount * CASE WHEN rl.currency = 'USD' THEN 1
                                                              ELSE 1.1 END) AS v
                      FROM deals_revenueline rl JOIN partners_partner p ON p.id = rl.partner_id
                     WHERE rl.reverses_id IS NULL AND p.partner_type = ANY(%s)
                     GROUP BY 1) AS volumes
             GROUP BY 1 ORDER BY 3
            """,
            [list(REBATE_TYPES)],
        )
        tiers = _rows(
            "SELECT COALESCE(t.name, 'no tier'), count(*) FROM partners_partner p "
            "LEFT JOIN partners_tier t ON t.id = p.tier_id GROUP BY 1 ORDER BY 2 DESC"
        )
    print(f"quarter {s.quarter.start} – {s.quarter.end}")
    print("won lines by currency: " + ", ".join(f"{c} {n:,}" for c, n in by_currency))
    print("lines by source: " + ", ".join(f"{c} {n:,}" for c, n in by_source))
    print("partners by tier: " + ", ".join(f"{c} {n:,}" for c, n in tiers))
    print(
        "rebate partners by volume (≈ USD): "
        + ", ".join(f"{label} {n:,} (max {top:,})" for label, n, top in volumes)
    )


# --- the programs ----------------------------------------------------------------------


def make_program(s: Scratch, name: str) -> Program:
    year = s.quarter.start.year
    common = dict(
        calendar="quarterly",
        starts_on=datetime.date(year, 1, 1),
        ends_on=datetime.date(year, 12, 31),
        currency=PAYOUT_CURRENCY,
        minimum_payout=MINIMUM_PAYOUT,
    )
    first, second, third = s.product_ids[:3]
    gold = s.tiers["Gold"].pk
    if name in ("retroactive", "marginal"):
        terms = ProgramTerms(
            name=f"Quarterly rebate ({name})",
            kind="rebate",
            rebate_method=name,
            brackets=LADDER,
            # Two products with their own rate: one above the ladder, one below.
            rates=(
                RateTerm(product_id=first, percent=D("8")),
                RateTerm(product_id=second, percent=D("1.5")),
            ),
            eligible_types=REBATE_TYPES,
            **common,
        )
    else:
        terms = ProgramTerms(
            name="Quarterly commission",
            kind="commission",
            percent=D("5"),
            rates=(
                RateTerm(product_id=third, percent=D("8")),
                RateTerm(tier_id=gold, percent=D("6")),
                RateTerm(product_id=third, tier_id=gold, percent=D("9")),
            ),
            **common,
        )
    with tenant_context(s.tenant.pk):
        program = program_create(terms=terms, by=s.admin)
        return program_activate(program=program, by=s.admin)


# --- measuring -------------------------------------------------------------------------


@dataclass
class Result:
    program: str
    lines: int = 0
    payees: int = 0
    items: int = 0
    total: Decimal = D("0")
    first_s: float = 0.0
    times_s: list[float] = field(default_factory=list)
    python_s: float | None = None
    python_read_s: float | None = None
    match: str = "not compared"
    differences: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times_s)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_s)  # nearest rank
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def over_target(self) -> bool:
        return self.median > CALCULATION_TARGET_S or self.p95 > CALCULATION_TARGET_S


def _calculate(s: Scratch, run: PayoutRun) -> float:
    """One calculation as the worker runs it: one tenant transaction, committed."""
    started = time.perf_counter()
    with tenant_context(s.tenant.pk):
        done = payout_run_calculate(run_id=run.pk)
    seconds = time.perf_counter() - started
    if done is None or done.status != "draft":
        problems = getattr(done, "problems", None)
        raise SystemExit(f"the run was not calculated: {done and done.status} {problems}")
    return seconds


def _payouts(run: PayoutRun) -> dict[int, tuple[Decimal, Decimal, str]]:
    return {
        partner: (total, payable, status)
        for partner, total, payable, status in Payout.objects.filter(run=run)
        .order_by()
        .values_list("partner_id", "total", "payable", "status")
    }


def measure_sql(s: Scratch, program: Program, runs: int, result: Result) -> PayoutRun:
    with tenant_context(s.tenant.pk):
        run = payout_run_create(program=program, day=s.quarter.start, by=s.finance)
    result.first_s = _calculate(s, run)
    print(f"  first calculation: {result.first_s:.2f} s", flush=True)
    for i in range(runs):
        # The last calculation's deleted lines are cleaned up first, as autovacuum
        # does between two recalculations minutes apart; without it each run here
        # would wade through the dead rows of all the runs before (and on a server
        # with autovacuum off they would never go).
        vacuum_analyse(PAYOUT_TABLES)
        with tenant_context(s.tenant.pk):
            run = payout_run_recalculate(run=run, by=s.finance)
        seconds = _calculate(s, run)
        result.times_s.append(seconds)
        print(f"  recalculation {i + 1}: {seconds:.2f} s", flush=True)
    with tenant_context(s.tenant.pk):
        run.refresh_from_db()
        result.payees = Payout.objects.filter(run=run).count()
        result.items = PayoutItem.objects.filter(run=run).count()
        result.total = run.total
        result.lines = _eligible(program, run).count()
    return run


# --- the same run, row by row ----------------------------------------------------------


@dataclass
class Earned:
    """One item as the row-by-row calculation makes it."""

    line: RevenueLine
    fx: Decimal
    base: Decimal
    rate: Decimal | None
    multiplier: Decimal | None
    rule: str
    rule_detail: str
    amount: Decimal
    partner_id: int
    kind: str = "earning"


class RateTable:
    """The effective rate of a currency on a day, from the rates read once."""

    def __init__(self, to_currency: str) -> None:
        self.to_currency = to_currency
        self.days: dict[str, list[datetime.date]] = defaultdict(list)
        self.rates: dict[str, list[Decimal]] = defaultdict(list)
        for rate in ExchangeRate.objects.filter(to_currency=to_currency).order_by(
            "currency", "effective_on"
        ):
            self.days[rate.currency].append(rate.effective_on)
            self.rates[rate.currency].append(rate.rate)

    def rate(self, currency: str, day: datetime.date) -> Decimal:
        if currency == self.to_currency:
            return D("1")
        index = bisect.bisect_right(self.days[currency], day) - 1
        if index < 0:
            raise SystemExit(f"no {currency} rate on {day}")
        return self.rates[currency][index]


def _eligible(program: Program, run: PayoutRun):
    """The run's revenue lines (reversals included), as the ORM reads them."""
    lines = RevenueLine.objects.filter(closed_on__range=(run.period_start, run.as_of))
    if program.eligible_types:
        lines = lines.filter(partner__partner_type__in=program.eligible_types)
    return lines


def _eligible_lines(program: Program, run: PayoutRun):
    return _eligible(program, run).order_by("pk").iterator(chunk_size=5000)


def _rebate_items(program, run, partners, fx) -> tuple[list[Earned], list[RevenueLine]]:
    brackets = [
        Bracket(b.threshold, b.rate)
        for b in ProgramBracket.objects.filter(program=program).order_by("threshold")
    ]
    product_rates = {
        r.product_id: r.percent
        for r in ProgramRate.objects.filter(
            program=program, product__isnull=False, tier__isnull=True, percent__isnull=False
        )
    }
    per_partner: dict[int, list[RevenueInput]] = defaultdict(list)
    read: dict[int, tuple[RevenueLine, Decimal]] = {}
    reversals = []
    for line in _eligible_lines(program, run):
        if line.reverses_id is not None:
            reversals.append(line)
            continue
        rate = fx.rate(line.currency, line.closed_on)
        read[line.pk] = (line, rate)
        per_partner[line.partner_id].append(
            RevenueInput(source_id=line.pk, product_id=line.product_id, amount=line.amount * rate)
        )
    items = []
    for partner_id, inputs in per_partner.items():
        tier = partners[partner_id].tier
        multiplier = tier.rebate_multiplier if tier else D("1")
        volume = sum((i.amount for i in inputs), D("0"))
        reached = [b for b in brackets if b.threshold <= volume]
        for earned in rebate_lines(
            inputs,
            brackets,
            program.rebate_method,
            product_rates=product_rates,
            multiplier=multiplier,
        ):
            line, rate = read[earned.source_id]
            rule = earned.rule if earned.rule == "product" else _bracket_rule(program)
            detail = ""
            if rule == "bracket" and reached:
                detail = str(reached[-1].threshold)
            items.append(
                Earned(
                    line,
                    rate,
                    earned.base,
                    earned.rate,
                    multiplier,
                    rule,
                    detail,
                    earned.amount,
                    partner_id,
                )
            )
    return items, reversals


def _bracket_rule(program: Program) -> str:
    return "marginal" if program.rebate_method == "marginal" else "bracket"


def _commission_items(program, run, partners, fx) -> tuple[list[Earned], list[RevenueLine]]:
    """A percentage of each line, at the most specific rate: product and tier,
    product, tier, then the program's (the bench's commission has no fixed
    amounts)."""
    rates = {(r.product_id, r.tier_id): r for r in ProgramRate.objects.filter(program=program)}
    if program.fixed_amount is not None or any(r.fixed_amount for r in rates.values()):
        raise SystemExit("the row-by-row commission covers percentages only")
    items, reversals = [], []
    for line in _eligible_lines(program, run):
        if line.reverses_id is not None:
            reversals.append(line)
            continue
        tier_id = partners[line.partner_id].tier_id
        candidates = [((line.product_id, None), "product")]
        if tier_id is not None:
            candidates.insert(0, ((line.product_id, tier_id), "product_tier"))
            candidates.append(((None, tier_id), "tier"))
        percent, rule = program.percent, "program"
        for key, name in candidates:
            if key in rates:
                percent, rule = rates[key].percent, name
                break
        rate = fx.rate(line.currency, line.closed_on)
        base = line.amount * rate
        items.append(
            Earned(
                line,
                rate,
                base,
                percent,
                None,
                rule,
                "",
                money(base * percent / 100),
                line.partner_id,
            )
        )
    return items, reversals


def _clawbacks(items: list[Earned], reversals: list[RevenueLine], fx) -> list[Earned]:
    """A reversal takes back the same share of what its line earned."""
    earned = {item.line.pk: item for item in items}
    clawed = []
    for line in reversals:
        original = earned.get(line.reverses_id)
        if original is None:
            continue
        rate = fx.rate(line.currency, line.closed_on)
        clawed.append(
            Earned(
                line,
                rate,
                line.amount * rate,
                None,
                None,
                "reversal",
                str(line.reverses_id),
                money(original.amount * line.amount / original.line.amount),
                original.partner_id,
                kind="clawback",
            )
        )
    return clawed


def python_calculation(program: Program, run: PayoutRun) -> float:
    """The run computed row by row, written with one ``save()`` per row; the
    bench has no approved runs, so there is nothing paid before or brought
    forward.  Returns the seconds spent reading the lines and computing."""
    started = time.perf_counter()
    partners = {p.pk: p for p in Partner.objects.select_related("tier")}
    fx = RateTable(program.currency)
    if program.kind == "rebate":
        items, reversals = _rebate_items(program, run, partners, fx)
    else:
        items, reversals = _commission_items(program, run, partners, fx)
    items += _clawbacks(items, reversals, fx)
    per_partner: dict[int, list[Earned]] = defaultdict(list)
    for item in items:
        if item.amount != 0:
            per_partner[item.partner_id].append(item)
    computed = time.perf_counter() - started
    minimum = program.minimum_payout
    run_total = D("0")
    for partner_id, earned in per_partner.items():
        total = sum((item.amount for item in earned), D("0"))
        payable = total if total > 0 and total >= minimum else D("0")
        if total < 0:
            status = "negative"
        elif total == 0:
            status = "nothing"
        elif total < minimum:
            status = "below_minimum"
        else:
            status = "payable"
        payout = Payout(
            run=run,
            partner_id=partner_id,
            currency=program.currency,
            total=total,
            payable=payable,
            carried=total - payable,
            status=status,
        )
        payout.save()
        run_total += payable
        for item in earned:
            PayoutItem(
                run=run,
                payout=payout,
                program=program,
                period_start=run.period_start,
                partner_id=partner_id,
                kind=item.kind,
                revenue_line_id=item.line.pk,
                registration_id=item.line.registration_id,
                source_amount=item.line.amount,
                source_currency=item.line.currency,
                exchange_rate=item.fx,
                base=item.base,
                rate=item.rate,
                multiplier=item.multiplier,
                rule=item.rule,
                rule_detail=item.rule_detail,
                earned_to_date=item.amount,
                amount=item.amount,
            ).save()
    run.total = run_total
    run.save(update_fields=["total", "updated_at"])
    return computed


def measure_python(s: Scratch, program: Program, run: PayoutRun, result: Result) -> None:
    """Time the row-by-row calculation of the run in a transaction that is
    rolled back, and compare its payouts with the SQL's, partner by partner."""
    vacuum_analyse(PAYOUT_TABLES)
    with tenant_context(s.tenant.pk):
        expected = _payouts(run)
        # The SQL's rows go first (untimed): one earning per line and program period.
        _delete_lines(run.pk)
        run = PayoutRun.objects.select_related("program").get(pk=run.pk)
        started = time.perf_counter()
        result.python_read_s = python_calculation(program, run)
        # The deferred foreign keys are checked at commit; this is the transaction's end
        # for the row-by-row calculation, before it is rolled back.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        result.python_s = time.perf_counter() - started
        got = _payouts(run)
        items = PayoutItem.objects.filter(run=run).count()
        transaction.set_rollback(True)
    differences = []
    for partner in sorted(set(expected) | set(got)):
        want, have = expected.get(partner), got.get(partner)
        if want != have:
            differences.append(f"partner {partner}: SQL {want}, Python {have}")
    if items != result.items:
        differences.append(f"items: SQL {result.items:,}, Python {items:,}")
    result.differences = differences
    result.match = "OK" if not differences else f"MISMATCH ({len(differences)})"


def _delete_lines(run_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM incentives_payoutitem WHERE run_id = %s", [run_id])
        cursor.execute("DELETE FROM incentives_payout WHERE run_id = %s", [run_id])


def explain(s: Scratch, run: PayoutRun) -> None:
    """Where a recalculation's time goes: the steps of ``payout_run_calculate``
    one by one, the foreign keys checked as the commit would, and the plan of
    the calculation's statement; rolled back."""
    from incentives.earnings import RunScope, calculate, calculation_sql, missing_rates

    vacuum_analyse(PAYOUT_TABLES)
    with tenant_context(s.tenant.pk):
        run = PayoutRun.objects.select_related("program").get(pk=run.pk)
        scope = RunScope(s.tenant.pk, run.pk, run.program, run.period_start, run.as_of, None)

        def immediate():
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

        print("  steps of one recalculation (rolled back):")
        for label, work in [
            ("exchange rates checked (missing_rates)", lambda: missing_rates(scope)),
            ("the draft's payouts and items deleted", lambda: _delete_lines(run.pk)),
            ("payouts and items calculated and written", lambda: calculate(scope)),
            ("deferred foreign keys checked (as at commit)", immediate),
        ]:
            started = time.perf_counter()
            work()
            print(f"    {label}: {time.perf_counter() - started:.2f} s")
        transaction.set_rollback(True)
    with tenant_context(s.tenant.pk):
        _delete_lines(run.pk)
        sql, params = calculation_sql(scope)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print("\n".join(row[0] for row in cursor.fetchall()))
        transaction.set_rollback(True)


# --- reporting -------------------------------------------------------------------------


def machine() -> str:
    major = connection.pg_version // 10000
    return f"{os.cpu_count()} cores, {platform.machine()}, PostgreSQL {major}, app role under RLS"


def report(results: list[Result], *, scale: str, runs: int) -> None:
    print("\n## Results\n")
    print(
        "| program | eligible lines | payees | items | total payable | SQL first | "
        "SQL median | SQL p95 | Python row by row | Python ÷ SQL | per partner |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        flag = " **over target**" if r.over_target else ""
        python = ratio = "–"
        if r.python_s is not None:
            python = f"{r.python_s:.1f} s (reading and computing {r.python_read_s:.1f} s)"
            ratio = f"{r.python_s / r.median:.1f}×"
        print(
            f"| {r.program} | {r.lines:,} | {r.payees:,} | {r.items:,} | {r.total:,} | "
            f"{r.first_s:.2f} s | {r.median:.2f} s{flag} | {r.p95:.2f} s | {python} | {ratio} "
            f"| {r.match} |"
        )
    print(
        f"\nTarget: {CALCULATION_TARGET_S:.0f} s median and p95 per calculation; "
        f"{runs} recalculations timed after the first calculation."
    )
    for r in results:
        for line in r.differences[:10]:
            print(f"  {r.program}: {line}")
    print("\nRows for the README's Benchmarks table:\n")
    for r in results:
        figure = f"{r.median:.2f} s median, {r.p95:.2f} s p95 ({runs} runs)"
        if r.python_s is not None:
            rate = (
                f"row by row in Python {r.python_s:.0f} s ({r.python_s / r.median:.0f}×), {r.match}"
            )
        else:
            rate = f"{r.items:,} items"
        print(
            f"| `python bench/payouts.py` — {r.program} payout run | {scale} | {figure} | "
            f"{rate} | {machine()} |"
        )


def cleanup(tenant_id: int, user_ids: list[int]) -> None:
    # Foreign keys are checked at commit, so one transaction may delete the
    # tenant's rows from every table in any order.
    with tenant_context(tenant_id), connection.cursor() as cursor:
        for table in tenant_tables():
            cursor.execute(f'DELETE FROM "{table}" WHERE tenant_id = %s', [tenant_id])
    User.objects.filter(pk__in=user_ids).delete()
    Tenant.objects.filter(pk=tenant_id).delete()


def require_migrated() -> None:
    """Refuse to start on a database that lacks a migration of the code: the
    clean-up at the end deletes from every table the models name."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in pending[:5])
        raise SystemExit(f"migrate the database first (python manage.py migrate): {names}")


def drop_kept(slug: str) -> None:
    """Delete a scratch tenant an earlier ``--keep`` run left, with its people."""
    token = slug.removeprefix("bench-payouts-")
    tenant = Tenant.objects.filter(slug=slug).first()
    if not slug.startswith("bench-payouts-") or tenant is None:
        raise SystemExit(f"no scratch tenant {slug}")
    users = User.objects.filter(
        email__startswith=f"bench-{token}-", email__endswith="@bench.example"
    )
    user_ids = list(users.values_list("pk", flat=True))
    cleanup(tenant.pk, user_ids)
    vacuum_analyse()
    print(f"deleted scratch tenant {slug} and its {len(user_ids)} people")


def purge_queues() -> None:
    """Delete the messages published to this run's queues (nobody consumes them)."""
    try:
        import redis

        broker = redis.Redis.from_url(settings.REDIS_URL)
        for key in broker.scan_iter(match=f"*{QUEUE_PREFIX}*"):
            broker.delete(key)
    except Exception as error:  # noqa: BLE001  (a leftover queue is no reason to fail)
        print(f"queues {QUEUE_PREFIX}.* not purged: {error}")


PROGRAMS = ["retroactive", "marginal", "commission"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partners", type=int, default=2_000)
    parser.add_argument("--lines", type=int, default=200_000, help="won revenue lines")
    parser.add_argument("--reversals", type=int, default=400)
    parser.add_argument("--runs", type=int, default=7, help="timed recalculations per program")
    parser.add_argument(
        "--programs", default=",".join(PROGRAMS), help=f"comma list of {', '.join(PROGRAMS)}"
    )
    parser.add_argument(
        "--no-python", action="store_true", help="skip the row-by-row Python calculation"
    )
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE each program's calculation"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch tenant")
    parser.add_argument("--drop", metavar="SLUG", help="only delete a scratch tenant kept before")
    args = parser.parse_args()
    programs = [name.strip() for name in args.programs.split(",") if name.strip()]
    unknown = [name for name in programs if name not in PROGRAMS]
    if unknown:
        parser.error(f"unknown program(s): {', '.join(unknown)}")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    require_migrated()
    if args.drop:
        drop_kept(args.drop)
        return
    print(f"machine: {machine()}")
    s = create_scratch()
    try:
        generate(s, partners=args.partners, lines=args.lines, reversals=args.reversals)
        _timed("vacuum and analyse", vacuum_analyse)
        describe(s)
        results = []
        for name in programs:
            print(f"\n{name}:", flush=True)
            program = make_program(s, name)
            result = Result(name)
            run = measure_sql(s, program, args.runs, result)
            if args.explain:
                explain(s, run)
            if not args.no_python:
                measure_python(s, program, run, result)
                print(
                    f"  row by row in Python: {result.python_s:.1f} s "
                    f"(reading and computing {result.python_read_s:.1f} s); "
                    f"per-partner totals: {result.match}",
                    flush=True,
                )
            results.append(result)
        scale = (
            f"{args.lines:,} won lines (+{args.reversals:,} reversals), {args.partners:,} partners"
        )
        report(results, scale=scale, runs=args.runs)
    finally:
        try:
            if args.keep:
                print(f"kept scratch tenant {s.tenant.slug}; delete it with --drop {s.tenant.slug}")
            else:
                cleanup(s.tenant.pk, s.user_ids)
                # so that the next run fills the space again instead of growing the tables
                _timed("scratch data deleted; vacuum", vacuum_analyse)
        finally:
            purge_queues()


if __name__ == "__main__":
    main()
