"""Benchmark: one tenant at scale — the registration pages, the conflict check,
the lead reclaim and the registration export.

    python bench/scale.py [--partners N] [--registrations N] [--leads N]
                          [--conflicts N] [--runs N] [--only a,b] [--explain] [--keep]
    python bench/scale.py --drop bench-scale-<token>   # delete a tenant kept before

Uses the project's settings (``DJANGO_SETTINGS_MODULE``, default
``prm.settings.dev`` with ``DEBUG`` off unless the environment says otherwise)
and therefore the configured database, or the embedded one.  Everything runs
as the app role under row-level security, exactly as in production.

A scratch tenant is built set-based (``INSERT … SELECT generate_series``):
partners with one partner person each, products, routing rules, direct
accounts, registrations in every status over two years (products, protection
rows for the approved ones), recorded conflicts, and leads with their offers.
The tables are then vacuumed and analysed (as the owner role, as autovacuum
would), and each measurement is run ``--runs`` times, the first run a warm-up
that is not counted; pages are fetched with Django's test client signed in as
the tenant's channel manager.  A Markdown table is printed at the end, and the
scratch tenant, its people, its exports and its queued messages are deleted
(unless ``--keep``).
"""

from __future__ import annotations

import argparse
import atexit
import html
import math
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

TOKEN = uuid.uuid4().hex[:10]
# Tasks published by the measured code (the reclaim's e-mails, the export job)
# go to queues of this run only, which no worker consumes; they are deleted at
# the end.  Export files go to a scratch media directory, also deleted.
QUEUE_PREFIX = f"bench-scale-{TOKEN}"
MEDIA_ROOT = tempfile.mkdtemp(prefix="prm-bench-media-")
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.dev")
os.environ.setdefault("DEBUG", "false")  # as served: no query log, no debug pages
os.environ["PRM_QUEUE_PREFIX"] = QUEUE_PREFIX
os.environ["MEDIA_ROOT"] = MEDIA_ROOT

import django  # noqa: E402
import owner_db  # noqa: E402

django.setup()
# Without collected static files WhiteNoise says so on every start; pages do not need them.
warnings.filterwarnings("ignore", message="No directory at")

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from deals.conflicts import Candidate, competing_direct_accounts, competing_registrations  # noqa: E402
from deals.models import DealSettings, Product, RoutingRule  # noqa: E402
from deals.normalise import customer_key  # noqa: E402
from deals.selectors.registrations import possible_conflict  # noqa: E402
from deals.services.customer_keys import customer_keys_refresh  # noqa: E402
from deals.services.reclaim import leads_reclaim  # noqa: E402
from prm.models import Membership, Tenant, User  # noqa: E402
from prm.rls import tenant_tables  # noqa: E402
from prm.roles import Role  # noqa: E402
from prm.tenancy import tenant_context  # noqa: E402

PAGE_TARGET_MS = (100.0, 150.0)  # median, p95
RECLAIM_TARGET_S = 3.0
DEEP_PAGES = 50
PRODUCTS = 40
DIRECT_ACCOUNTS = 2_000
YEARS_OF_REGISTRATIONS = 2

# Customer names are <first> <region> <trade> <legal form>: 120 × 30 × 80 =
# 288,000 distinct names that share words the way real company names do, so the
# trigram search has neighbours to sift through (a list of "Customer 1 … N"
# would be either all alike or nothing alike).
FIRST = """
Northwind Bluewater Redwood Greenfield Silverline Goldcrest Ironbridge Stonegate Riverside
Lakeshore Oceanic Summit Valleyview Harborview Pinecrest Oakridge Mapleton Cedarwood Birchwood
Willowbrook Eagle Falcon Hawkeye Ravenwood Foxglove Wolfpack Bearcreek Lionheart Tigerlily Orca
Atlas Apex Nova Vega Orion Polaris Titan Zenith Vertex Quantum Fusion Vector Matrix Nimbus Cirrus
Aurora Solstice Equinox Horizon Frontier Pioneer Liberty Heritage Legacy Crown Regal Noble Prime
Pinnacle Keystone Cornerstone Brightway Clearwater Swiftline Rapidus Agile Smartedge Wisdom
Boldmark Braveheart Trueline Purewell Freshfield Urbanite Metroline Prairie Desertrose Canyon
Meadowlark Forestview Glacier Granite Marble Copperfield Bronzeworks Cobalt Crimson Indigo Amberly
Jadestone Onyx Opaline Pearlman Rubicon Sapphire Emerald Topaz Crystalline Diamondback Silverton
Ashford Brookfield Carlisle Dunmore Elmwood Fairview Glenwood Hartwell Kingsley Lancaster
Millbrook Newbury Oakhurst Pemberton Queensbury Rockwell Sheffield Thornton Wexford Ardent Beacon
Catalyst Dynamo Element Fulcrum Lumen Meridian
""".split()
REGION = """
North South East West Central Pacific Atlantic Global International National Regional Metro
Coastal Mountain Continental Nordic Iberia Baltic Alpine Midland Highland Lowland Capital Union
United Federal Premier Harbour Delta Gulf
""".split()
TRADE = """
Bridge Peak Point Ridge Field Gate Works Labs Systems Dynamics Networks Solutions Partners
Holdings Ventures Industries Technologies Digital Analytics Logic Data Cloud Software Devices
Robotics Energy Power Solar Water Health Care Medical Pharma Bio Foods Farms Kitchen Brewing
Apparel Textiles Motors Auto Aero Marine Freight Transport Shipping Rail Builders Construction
Realty Properties Finance Insurance Bank Legal Consulting Advisory Media Studios Publishing Print
Design Education Learning Academy Retail Stores Market Supply Trading Imports Exports Chemicals
Plastics Metals Steel Mining Paper Packaging Electric Telecom
""".split()
LEGAL = ["Inc", "Ltd", "GmbH", "LLC", "SA", "BV", "Corp", ""]
COUNTRIES = "US US US US GB GB DE DE FR CA NL ES IT SE PL AU JP BR IN SG MX CH IE".split()
INDUSTRIES = "software manufacturing retail healthcare finance education logistics energy".split()
PARTNER_TYPES = ["reseller", "reseller", "reseller", "msp", "si", "isv", "distributor", "referral"]
SEGMENTS = ["smb", "mid_market", "enterprise", "public_sector"]
COMPETITORS = ["Initech", "Globex", "Umbrella", "Hooli", "Vandelay"]
assert len(set(FIRST)) == len(FIRST) and len(set(REGION)) == len(REGION)
assert len(set(TRADE)) == len(TRADE)
NAME_SPACE = len(FIRST) * len(REGION) * len(TRADE)
NAME_STRIDE = 7919  # prime, coprime to NAME_SPACE: customer n ↦ name is one-to-one

# A non-negative pseudo-random integer from an int4 expression and a salt.
_H = "(hashint4(({expr}) # {salt}) & 2147483647)"


def _h(expr: str, salt: int) -> str:
    return _H.format(expr=expr, salt=salt)


def _name_sql(n: str) -> tuple[str, str, str]:
    """SQL for the name, key and domain of customer number ``n`` (a bigint)."""
    i = f"(({n}) * {NAME_STRIDE} %% {NAME_SPACE})"
    nf, nr = len(FIRST), len(REGION)
    first = f"(%(first)s::text[])[1 + {i} %% {nf}]"
    region = f"(%(region)s::text[])[1 + ({i} / {nf}) %% {nr}]"
    trade = f"(%(trade)s::text[])[1 + {i} / {nf * nr}]"
    legal = f"(%(legal)s::text[])[1 + ({n}) %% {len(LEGAL)}]"
    base = f"{first} || ' ' || {region} || ' ' || {trade}"
    name = f"rtrim({base} || ' ' || {legal})"
    key = f"lower({base})"
    domain = f"lower({first} || '-' || {region} || '-' || {trade}) || '.example.com'"
    return name, key, domain


def _names_params() -> dict:
    return {"first": FIRST, "region": REGION, "trade": TRADE, "legal": LEGAL}


# --- data ------------------------------------------------------------------------------

_PARTNERS = f"""
INSERT INTO partners_partner (
    tenant_id, created_at, updated_at, name, legal_name, website, country, regions, industries,
    partner_type, segment, status, strengths, markets, certifications_held, customer_references
)
SELECT %(tenant)s, now() - ({_h("g", 11)} %% 1500) * interval '1 day', now(),
       'Bench partner ' || lpad(g::text, 6, '0'), '', '',
       (%(countries)s::text[])[1 + {_h("g", 12)} %% %(n_countries)s], '{{}}', '{{}}',
       (%(types)s::text[])[1 + {_h("g", 13)} %% %(n_types)s],
       (%(segments)s::text[])[1 + {_h("g", 14)} %% %(n_segments)s],
       CASE WHEN {_h("g", 15)} %% 100 < 88 THEN 'active'
            WHEN {_h("g", 15)} %% 100 < 94 THEN 'onboarding'
            WHEN {_h("g", 15)} %% 100 < 97 THEN 'suspended'
            ELSE 'terminated' END,
       '', '', '', ''
  FROM generate_series(1, %(partners)s) AS g
"""

# One partner admin per partner: users, memberships and their partner links.
# The user's e-mail carries the partner's id, which links the rows without a
# join on anything but ids.
_PEOPLE = """
WITH people AS (
    INSERT INTO prm_user (password, is_superuser, email, full_name, is_active, is_staff,
                          date_joined)
    SELECT '!', false, 'bench-' || %(token)s || '-p' || id || '@bench.example',
           'Partner person ' || id, true, false, now()
      FROM partners_partner WHERE tenant_id = %(tenant)s
    RETURNING id, substring(email from '-p([0-9]+)@')::bigint AS partner_id
), members AS (
    INSERT INTO prm_membership (tenant_id, created_at, updated_at, role, is_active, user_id)
    SELECT %(tenant)s, now(), now(), 'partner_admin', true, id FROM people
    RETURNING id, user_id
), links AS (
    INSERT INTO partners_partnermembership (tenant_id, membership_id, partner_id)
    SELECT %(tenant)s, members.id, people.partner_id
      FROM members JOIN people ON people.id = members.user_id
)
SELECT partner_id, id FROM people
"""

_NAME, _KEY, _DOMAIN = _name_sql("c")

# Registrations: g = 1 is the oldest, g = N was registered just now; the status
# follows the age (recent ones await a decision or are protected, old ones are
# won, lost or expired).  Approved registrations each have a customer of their
# own (customer number g), so their protection rows never collide; the others
# draw from a pool of 0.4 · N customers, so customers are registered ~2–3 times.
_REGISTRATIONS = f"""
WITH src AS (
    SELECT g, age, h1, h2, h3, h4, created, status,
           CASE WHEN status = 'approved' THEN g::bigint ELSE h2 %% %(pool)s END AS c,
           1 + floor(%(n_partners)s * power((h4 %% 1000000) / 1000000.0, 2))::int AS p
      FROM (
        SELECT g, age, h1, h2, h3, h4,
               now() - age * interval '1 day' - (h2 %% 3600) * interval '1 second' AS created,
               CASE
                 WHEN age <= 30 THEN CASE
                   WHEN h1 %% 100 < 10 THEN 'draft' WHEN h1 %% 100 < 45 THEN 'submitted'
                   WHEN h1 %% 100 < 53 THEN 'more_info' WHEN h1 %% 100 < 93 THEN 'approved'
                   ELSE 'rejected' END
                 WHEN age <= 150 THEN CASE
                   WHEN h1 %% 100 < 4 THEN 'draft' WHEN h1 %% 100 < 9 THEN 'submitted'
                   WHEN h1 %% 100 < 11 THEN 'more_info' WHEN h1 %% 100 < 66 THEN 'approved'
                   WHEN h1 %% 100 < 81 THEN 'won' WHEN h1 %% 100 < 91 THEN 'lost'
                   ELSE 'rejected' END
                 ELSE CASE
                   WHEN h1 %% 100 < 3 THEN 'draft' WHEN h1 %% 100 < 11 THEN 'rejected'
                   WHEN h1 %% 100 < 41 THEN 'won' WHEN h1 %% 100 < 66 THEN 'lost'
                   ELSE 'expired' END
               END AS status
          FROM (
            SELECT g, %(days)s * (1 - g::float8 / %(rows)s) AS age,
                   {_h("g", 21)} AS h1, {_h("g", 22)} AS h2,
                   {_h("g", 23)} AS h3, {_h("g", 24)} AS h4
              FROM generate_series(1, %(rows)s) AS g
          ) AS raw
      ) AS aged
), timed AS (
    SELECT src.*,
           CASE WHEN status = 'draft' THEN NULL
                ELSE least(now(), created + (h3 %% 72) * interval '1 hour') END AS submitted
      FROM src
), shaped AS (
    SELECT timed.*,
           CASE WHEN status IN ('approved', 'rejected', 'won', 'lost', 'expired')
                THEN least(now(), submitted + (1 + h3 %% 47) * interval '1 hour') END AS decided,
           1000 + h1 %% 250000 AS value,
           CASE WHEN status IN ('won', 'lost')
                THEN least(current_date, created::date + 20 + h4 %% 120) END AS closed
      FROM timed
), registrations AS (
    INSERT INTO deals_dealregistration (
        tenant_id, created_at, updated_at, customer_name, customer_key, customer_domain,
        customer_country, contact_name, contact_email, contact_phone, estimated_value,
        currency, expected_close_date, stage, notes, status, submitted_at, decided_at,
        decided_by_id, protected_until, extensions_used, extension_reason, won_amount,
        closed_on, lost_reason, competitor, partner_id, registered_by_id
    )
    SELECT %(tenant)s, created, coalesce(decided, submitted, created),
           {_NAME}, {_KEY}, {_DOMAIN},
           (%(countries)s::text[])[1 + h3 %% %(n_countries)s],
           'Pat Lee', 'pat@' || {_DOMAIN}, '+1 555 0100', value,
           (ARRAY['USD', 'USD', 'USD', 'USD', 'USD', 'USD', 'USD', 'EUR', 'EUR', 'GBP'])
               [1 + h4 %% 10],
           created::date + 30 + h2 %% 150,
           (ARRAY['qualification', 'discovery', 'proposal', 'negotiation', 'commit'])
               [1 + h3 %% 5],
           '', status, submitted, decided,
           CASE WHEN decided IS NOT NULL THEN %(manager)s END,
           CASE WHEN status = 'approved' THEN current_date + 1 + h2 %% 90
                WHEN status IN ('won', 'lost', 'expired') THEN decided::date + 90 END,
           CASE WHEN status = 'approved' AND age > 90 THEN 1 + (age > 120)::int ELSE 0 END,
           '',
           CASE WHEN status = 'won' THEN round(value * (0.8 + (h2 %% 40) / 100.0), 2) END,
           closed,
           CASE WHEN status = 'lost' THEN 'Lost on price' ELSE '' END,
           CASE WHEN status = 'lost' THEN (%(competitors)s::text[])[1 + h2 %% 5] ELSE '' END,
           (%(partners)s::bigint[])[p], (%(people)s::bigint[])[p]
      FROM shaped
     ORDER BY g
    RETURNING id, status, customer_key, customer_domain
), products AS (
    -- one to three products per registration, following from its id
    SELECT r.id, r.status, r.customer_key, r.customer_domain,
           (%(products)s::bigint[])[1 + (r.id + k * 7) %% %(n_products)s] AS product_id
      FROM registrations AS r
     CROSS JOIN LATERAL generate_series(
         0, CASE WHEN r.id %% 10 < 6 THEN 0 WHEN r.id %% 10 < 9 THEN 1 ELSE 2 END) AS k
), lines AS (
    INSERT INTO deals_dealproduct (tenant_id, registration_id, product_id)
    SELECT %(tenant)s, id, product_id FROM products
)
INSERT INTO deals_dealprotection (tenant_id, registration_id, customer_key, product_id)
SELECT %(tenant)s, id, key.value, product_id
  FROM products
 CROSS JOIN LATERAL (VALUES (customer_key), (customer_domain)) AS key(value)
 WHERE status = 'approved'
ON CONFLICT DO NOTHING
"""

# Conflicts as submission recorded them: a registration and an earlier one of
# another partner for the same customer (same domain), sampled over the years.
_CONFLICTS = """
INSERT INTO deals_dealconflict (
    tenant_id, registration_id, other_registration_id, match, similarity, found_at
)
SELECT %(tenant)s, r.id, o.id, 'domain', 1.000, r.submitted_at
  FROM deals_dealregistration AS r
  JOIN deals_dealregistration AS o
    ON o.tenant_id = r.tenant_id AND o.customer_domain = r.customer_domain
   AND o.partner_id <> r.partner_id AND o.id < r.id
 WHERE r.tenant_id = %(tenant)s AND r.submitted_at IS NOT NULL
   AND o.status NOT IN ('draft', 'rejected')
 ORDER BY hashint4(r.id::int # 31), o.id
 LIMIT %(conflicts)s
"""

_DA_NAME, _DA_KEY, _DA_DOMAIN = _name_sql("g::bigint * 37")
_DIRECT_ACCOUNTS = f"""
INSERT INTO deals_directaccount (tenant_id, created_at, updated_at, name, name_key, domain, owner)
SELECT %(tenant)s, now(), now(), {_DA_NAME}, {_DA_KEY}, {_DA_DOMAIN}, 'Direct sales'
  FROM generate_series(1, %(accounts)s) AS g
ON CONFLICT DO NOTHING
"""

_LEAD_NAME, _, _LEAD_DOMAIN = _name_sql("h2 %% %(pool)s + 3")
# Leads over the last year: 5 % new, 15 % offered (a pending offer due within
# two days), 20 % accepted, 15 % converted, 5 % unrouted, 40 % closed; every
# routed lead has its current offer, and three in ten an earlier declined or
# reclaimed offer to another partner.
_LEADS = f"""
WITH src AS (
    SELECT g, h1, h2, h3,
           now() - %(days)s * (1 - g::float8 / %(leads)s) * interval '1 day' AS created,
           CASE WHEN h1 %% 100 < 5 THEN 'new' WHEN h1 %% 100 < 20 THEN 'offered'
                WHEN h1 %% 100 < 40 THEN 'accepted' WHEN h1 %% 100 < 55 THEN 'converted'
                WHEN h1 %% 100 < 60 THEN 'unrouted' ELSE 'closed' END AS status,
           1 + h3 %% %(n_partners)s AS p
      FROM (
        SELECT g, {_h("g", 31)} AS h1, {_h("g", 32)} AS h2, {_h("g", 33)} AS h3
          FROM generate_series(1, %(leads)s) AS g
      ) AS raw
), leads AS (
    INSERT INTO deals_lead (
        tenant_id, created_at, updated_at, company_name, company_domain, country, industry,
        contact_name, contact_email, contact_phone, description, estimated_value, currency,
        source, status, partner_id, accepted_at, created_by_id
    )
    SELECT %(tenant)s, created, created, {_LEAD_NAME}, {_LEAD_DOMAIN},
           (%(countries)s::text[])[1 + h2 %% %(n_countries)s],
           (%(industries)s::text[])[1 + h3 %% %(n_industries)s],
           'Sam Doe', 'sam@' || {_LEAD_DOMAIN}, '', '', 5000 + h1 %% 100000, 'USD', 'Web form',
           status,
           CASE WHEN status IN ('offered', 'accepted', 'converted')
                THEN (%(partners)s::bigint[])[p] END,
           CASE WHEN status IN ('accepted', 'converted') THEN created + interval '5 hours' END,
           %(manager)s
      FROM src
     ORDER BY g
    RETURNING id, status, created_at, partner_id
), shaped AS (
    SELECT id, status, created_at, partner_id, {_h("id::int", 34)} AS h,
           1 + {_h("id::int", 35)} %% %(n_partners)s AS p
      FROM leads
     WHERE status NOT IN ('new', 'unrouted')
), current_offers AS (
    -- the lead's partner's offer; a closed lead's was declined or accepted
    INSERT INTO deals_leadoffer (
        tenant_id, lead_id, partner_id, offered_by_id, offered_at, due_at, outcome,
        responded_at, decline_reason
    )
    SELECT %(tenant)s, s.id, coalesce(s.partner_id, (%(partners)s::bigint[])[s.p]),
           %(manager)s, o.offered_at, o.offered_at + interval '48 hours', o.outcome,
           CASE WHEN o.outcome <> 'pending' THEN o.offered_at + interval '4 hours' END,
           CASE WHEN o.outcome = 'declined' THEN 'No capacity' ELSE '' END
      FROM shaped AS s
     CROSS JOIN LATERAL (SELECT
         CASE WHEN s.status = 'offered'
              THEN now() - interval '1 hour' - (s.h %% 40) * interval '1 hour'
              ELSE s.created_at + interval '1 hour' END AS offered_at,
         CASE WHEN s.status = 'offered' THEN 'pending'
              WHEN s.status = 'closed' AND s.h %% 2 = 0 THEN 'declined'
              ELSE 'accepted' END AS outcome) AS o
)
INSERT INTO deals_leadoffer (
    tenant_id, lead_id, partner_id, offered_by_id, offered_at, due_at, outcome, responded_at,
    decline_reason
)
SELECT %(tenant)s, id, (%(partners)s::bigint[])[1 + p %% %(n_partners)s], %(manager)s,
       created_at, created_at + interval '48 hours',
       CASE WHEN h %% 3 = 0 THEN 'reclaimed' ELSE 'declined' END,
       CASE WHEN h %% 3 = 0 THEN NULL ELSE created_at + interval '3 hours' END, ''
  FROM shaped
 WHERE h %% 10 < 3
"""


@dataclass
class Scratch:
    tenant: Tenant
    manager: User
    manager_membership: Membership | None
    user_ids: list[int]
    partner_ids: list[int]
    people: dict[int, int]  # partner id → its person's user id
    product_ids: list[int]


def _execute(sql: str, params: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _one(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _timed(label: str, work: Callable[[], object]):
    started = time.perf_counter()
    result = work()
    print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)
    return result


def create_scratch() -> Scratch:
    tenant = Tenant.objects.create(name=f"Bench scale {TOKEN}", slug=f"bench-scale-{TOKEN}")
    manager = User.objects.create_user(
        email=f"bench-{TOKEN}-manager@bench.example", full_name="Bench channel manager"
    )
    with tenant_context(tenant.pk):
        membership = Membership.objects.create(user=manager, role=Role.CHANNEL_MANAGER)
    return Scratch(tenant, manager, membership, [manager.pk], [], {}, [])


def generate(s: Scratch, *, partners: int, registrations: int, leads: int, conflicts: int):
    t = s.tenant.pk
    common = {
        "tenant": t,
        "token": TOKEN,
        "manager": s.manager.pk,
        "countries": COUNTRIES,
        "n_countries": len(COUNTRIES),
        "competitors": COMPETITORS,
        **_names_params(),
    }
    started = time.perf_counter()
    with tenant_context(t):
        DealSettings.objects.create()
        s.product_ids = [
            p.pk
            for p in Product.objects.bulk_create(
                Product(
                    code=f"P-{i:03d}",
                    name=f"Product {i:03d}",
                    product_line=["Platform", "Security", "Analytics", "Services"][i % 4],
                )
                for i in range(PRODUCTS)
            )
        ]
        RoutingRule.objects.bulk_create(
            [
                RoutingRule(
                    name="Europe, resellers and integrators",
                    priority=10,
                    countries=["GB", "DE", "FR", "NL", "ES", "IT", "SE", "PL", "CH", "IE"],
                    partner_types=["reseller", "si", "msp"],
                    max_open_leads=25,
                ),
                RoutingRule(
                    name="North America", priority=20, countries=["US", "CA"], max_open_leads=25
                ),
                RoutingRule(name="Everyone else", priority=100, max_open_leads=50),
            ]
        )
        params = {
            **common,
            "partners": partners,
            "types": PARTNER_TYPES,
            "n_types": len(PARTNER_TYPES),
            "segments": SEGMENTS,
            "n_segments": len(SEGMENTS),
        }
        _timed(f"{partners:,} partners", lambda: _execute(_PARTNERS, params))

        def people():
            with connection.cursor() as cursor:
                cursor.execute(_PEOPLE, common)
                return dict(cursor.fetchall())

        s.people = _timed(f"{partners:,} partner people", people)
        s.partner_ids = sorted(s.people)
        s.user_ids += list(s.people.values())
        common.update(
            partners=s.partner_ids,
            people=[s.people[p] for p in s.partner_ids],
            n_partners=len(s.partner_ids),
            pool=max(1, registrations * 2 // 5),
        )
        params = {
            **common,
            "rows": registrations,
            "days": 365.0 * YEARS_OF_REGISTRATIONS,
            "products": s.product_ids,
            "n_products": len(s.product_ids),
        }
        _timed(
            f"{registrations:,} registrations with products and protection",
            lambda: _execute(_REGISTRATIONS, params),
        )

        def record_conflicts():
            # The registrations are not analysed yet (that needs the owner and a
            # commit): without statistics the planner nests loops over the self-join.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_nestloop = off")
                found = _execute(_CONFLICTS, {**common, "conflicts": conflicts})
                cursor.execute("RESET enable_nestloop")
            return found

        found = _timed("conflicts", record_conflicts)
        print(f"    {found:,} conflict rows")
        _timed(
            f"{DIRECT_ACCOUNTS:,} direct accounts",
            lambda: _execute(_DIRECT_ACCOUNTS, {**common, "accounts": DIRECT_ACCOUNTS}),
        )
        params = {
            **common,
            "leads": leads,
            "days": 365.0,
            "industries": INDUSTRIES,
            "n_industries": len(INDUSTRIES),
        }

        _timed(f"{leads:,} leads with offers", lambda: _execute(_LEADS, params))
    # The SQL above writes simple keys; the product's normaliser has the last word.
    with tenant_context(s.tenant.pk):
        refreshed = _timed("customer keys by deals.normalise", customer_keys_refresh)
    print(f"    {refreshed.registrations:,} registrations re-keyed")
    print(f"generated in {time.perf_counter() - started:.1f} s")


# The tables the scratch data fills, vacuumed and counted.
DEAL_TABLES = (
    "deals_dealregistration",
    "deals_dealproduct",
    "deals_dealprotection",
    "deals_dealconflict",
    "deals_directaccount",
    "deals_lead",
    "deals_leadoffer",
)


def vacuum_analyse() -> None:
    """VACUUM ANALYZE the tables the data went into (see ``owner_db``)."""
    owner_db.vacuum_analyse(
        [
            "partners_partner",
            "partners_partnermembership",
            "prm_user",
            "prm_membership",
            *DEAL_TABLES,
        ]
    )


def describe(s: Scratch) -> dict:
    with tenant_context(s.tenant.pk), connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, count(*) FROM deals_dealregistration GROUP BY status ORDER BY 2 DESC"
        )
        statuses = dict(cursor.fetchall())
        counts = {table: _one(f"SELECT count(*) FROM {table}") for table in DEAL_TABLES}
        counts["pending offers"] = _one(
            "SELECT count(*) FROM deals_leadoffer WHERE outcome = 'pending'"
        )
        counts["customers"] = _one(
            "SELECT count(DISTINCT customer_key) FROM deals_dealregistration"
        )
        cursor.execute(
            "SELECT customer_name, customer_key FROM deals_dealregistration ORDER BY id LIMIT 500"
        )
        wrong = [(n, k) for n, k in cursor.fetchall() if customer_key(n) != k]
    if wrong:
        raise SystemExit(f"generated customer keys do not match deals.normalise: {wrong[:3]}")
    print("registrations by status: " + ", ".join(f"{k} {v:,}" for k, v in statuses.items()))
    print("rows: " + ", ".join(f"{k.removeprefix('deals_')} {v:,}" for k, v in counts.items()))
    return counts


# --- measuring -------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    label: str
    times_ms: list[float] = field(default_factory=list)
    queries: int = 0
    seconds: float | None = None  # for one-off measurements
    note: str = ""
    sql: list[tuple[float, str]] = field(default_factory=list)  # warm-up queries, slowest first

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)  # nearest rank
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def over_target(self) -> bool:
        if self.seconds is not None:
            return self.name == "reclaim" and self.seconds > RECLAIM_TARGET_S
        if not self.times_ms:
            return False
        return self.median > PAGE_TARGET_MS[0] or self.p95 > PAGE_TARGET_MS[1]


def _slowest(captured) -> list[tuple[float, str]]:
    return sorted(((float(q["time"]), q["sql"]) for q in captured), reverse=True)


def measure_get(client: Client, name: str, label: str, url: str, runs: int) -> Result:
    """GET ``url`` ``runs`` times; the first (warm-up) run counts the queries
    and is not timed."""
    result = Result(name, label)
    for i in range(runs):
        if i == 0:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            result.queries = len(captured.captured_queries)
            result.sql = _slowest(captured.captured_queries)
        else:
            started = time.perf_counter()
            response = client.get(url)
            result.times_ms.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{label}: {url} answered {response.status_code}")
    result.note = f"{len(response.content) // 1024} KiB"
    return result


def measure_calls(name: str, label: str, calls: list[Callable[[], object]]) -> Result:
    """Each call in its own tenant transaction, as a request would run it."""
    result = Result(name, label)
    for i, call in enumerate(calls):
        if i == 0:
            with CaptureQueriesContext(connection) as captured:
                call()
            result.queries = len(captured.captured_queries)
            result.sql = _slowest(captured.captured_queries)
        else:
            started = time.perf_counter()
            call()
            result.times_ms.append((time.perf_counter() - started) * 1000)
    return result


_NEXT = re.compile(r'<a href="([^"]*)" rel="next"')


def _next_url(path: str, body: str) -> str | None:
    found = _NEXT.search(body)
    return path + html.unescape(found.group(1)) if found else None


def measure_pages(s: Scratch, client: Client, runs: int, wanted) -> list[Result]:
    slug = s.tenant.slug
    path = reverse("console:registrations", kwargs={"tenant_slug": slug})
    results = []
    if wanted("list"):
        results.append(measure_get(client, "list", "all registrations, first page", path, runs))
    if wanted("list-deep"):
        url, depth = path, 1
        while depth <= DEEP_PAGES:
            following = _next_url(path, client.get(url).content.decode())
            if following is None:
                break
            url, depth = following, depth + 1
        results.append(
            measure_get(
                client, "list-deep", f"all registrations, page {depth} (by cursor)", url, runs
            )
        )
    with tenant_context(s.tenant.pk):
        busiest = _one(
            "SELECT partner_id FROM deals_dealregistration GROUP BY partner_id "
            "ORDER BY count(*) DESC LIMIT 1"
        )
        busiest_rows = _one(
            "SELECT count(*) FROM deals_dealregistration WHERE partner_id = %s", [busiest]
        )
    for name, label, query in [
        ("list-status", "all registrations, status approved", "status=approved"),
        ("list-status-rare", "all registrations, status more_info", "status=more_info"),
        (
            "list-partner",
            f"all registrations, busiest partner ({busiest_rows:,} rows)",
            f"partner={busiest}",
        ),
    ]:
        if wanted(name):
            results.append(measure_get(client, name, label, f"{path}?{query}", runs))
    if wanted("queue"):
        url = reverse("console:registration_queue", kwargs={"tenant_slug": slug})
        results.append(measure_get(client, "queue", "approval queue, first page", url, runs))
    if wanted("conflicts"):
        url = reverse("console:registration_conflicts", kwargs={"tenant_slug": slug})
        results.append(measure_get(client, "conflicts", "conflicts, first page", url, runs))
    return results


def measure_homes(s: Scratch, client: Client, runs: int, wanted) -> list[Result]:
    """The console home of the channel manager (every queue over the whole
    tenant) and the portal home of the busiest partner's person."""
    results = []
    if wanted("home-console"):
        url = reverse("console:dashboard", kwargs={"tenant_slug": s.tenant.slug})
        results.append(
            measure_get(client, "home-console", "console home (channel manager)", url, runs)
        )
    if wanted("home-partner"):
        with tenant_context(s.tenant.pk):
            busiest = _one(
                "SELECT partner_id FROM deals_dealregistration GROUP BY partner_id "
                "ORDER BY count(*) DESC LIMIT 1"
            )
        person = Client(HTTP_HOST="localhost")
        person.force_login(User.objects.get(pk=s.people[busiest]))
        url = reverse("portal:dashboard", kwargs={"tenant_slug": s.tenant.slug})
        results.append(
            measure_get(person, "home-partner", "portal home (busiest partner's person)", url, runs)
        )
    return results


def measure_conflict_check(s: Scratch, runs: int, wanted) -> list[Result]:
    """The duplicate check a partner's register form asks as they type
    (``possible_conflict``), and the detection run when a registration is
    submitted (``competing_registrations`` + ``competing_direct_accounts``),
    each run for another existing customer, registered by another partner."""
    t = s.tenant.pk
    with tenant_context(t), connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.customer_name, r.customer_domain, r.partner_id, "
            "       array_agg(p.product_id ORDER BY p.product_id) "
            "  FROM deals_dealregistration r JOIN deals_dealproduct p ON p.registration_id = r.id "
            " WHERE r.status IN ('submitted', 'approved') "
            " GROUP BY r.id ORDER BY hashint4(r.id::int # 77) LIMIT %s",
            [runs],
        )
        samples = cursor.fetchall()
        asker = s.partner_ids[len(s.partner_ids) // 2]
        membership = (
            Membership.objects.select_related("partner_link").filter(user_id=s.people[asker]).get()
        )
    results = []
    if wanted("conflict-check"):

        def check(name, domain, products):
            def call():
                with tenant_context(t):
                    possible_conflict(
                        membership=membership,
                        customer_name=name,
                        customer_domain=domain,
                        product_ids=products,
                    )

            return call

        results.append(
            measure_calls(
                "conflict-check",
                "conflict check as the partner types (possible_conflict)",
                [check(n, d, ps) for n, d, _p, ps in samples],
            )
        )
    if wanted("conflict-detect"):

        def detect(name, domain, products):
            candidate = Candidate(
                customer_key=customer_key(name),
                customer_domain=domain,
                product_ids=tuple(products),
                partner_id=asker,
            )

            def call():
                with tenant_context(t):
                    found = competing_registrations(candidate)
                    found += competing_direct_accounts(candidate)

            return call

        results.append(
            measure_calls(
                "conflict-detect",
                "conflict detection on submit (competing_registrations + direct accounts)",
                [detect(n, d, ps) for n, d, _p, ps in samples],
            )
        )
    return results


def measure_reclaim(s: Scratch, overdue: int) -> Result:
    """Make ``overdue`` pending offers overdue, then time one run of the reclaim
    as its task runs it: one tenant transaction, the e-mails published to the
    broker after the commit."""
    t = s.tenant.pk
    with tenant_context(t), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE deals_leadoffer SET due_at = now() - interval '1 hour' "
            " WHERE id IN (SELECT id FROM deals_leadoffer "
            "               WHERE outcome = 'pending' AND due_at >= now() "
            "               ORDER BY id LIMIT %s) "
            "RETURNING lead_id",
            [overdue],
        )
        lead_ids = [row[0] for row in cursor.fetchall()]
        outbox_before = _one("SELECT count(*) FROM prm_outboxmessage")
    if len(lead_ids) < overdue:  # a small --leads
        print(f"  only {len(lead_ids)} pending offers to make overdue, not {overdue}")
        overdue = len(lead_ids)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        with tenant_context(t):
            reclaimed = leads_reclaim(now=timezone.now())
        seconds = time.perf_counter() - started
    with tenant_context(t), connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, count(*) FROM deals_lead WHERE id = ANY(%s) GROUP BY status",
            [lead_ids],
        )
        outcome = dict(cursor.fetchall())
        emails = _one("SELECT count(*) FROM prm_outboxmessage") - outbox_before
    if reclaimed != overdue:
        raise SystemExit(f"reclaim: {reclaimed} reclaimed, {overdue} were overdue")
    result = Result(
        "reclaim",
        f"lead reclaim, {overdue:,} overdue offers",
        queries=len(captured.captured_queries),
        seconds=seconds,
        sql=_slowest(captured.captured_queries),
    )
    result.note = (
        f"re-offered {outcome.get('offered', 0):,}, unrouted {outcome.get('unrouted', 0):,}, "
        f"{emails:,} e-mails queued"
    )
    return result


# ---------------------------------------------------------------------------------------
# The registration CSV export: ``export_request`` is what the list's button does,
# ``export_write`` what the worker runs; the write is the real cost.
# ---------------------------------------------------------------------------------------
def measure_export(s: Scratch, client: Client) -> Result:
    """The whole registration list as an export job: asking for it (the web
    request's part) and writing it (the worker's part), timed together."""
    return _export_job(s)


def _export_job(s: Scratch) -> Result:
    from deals.selectors.registrations import RegistrationFilters
    from prm.services.exports import export_request, export_write

    t = s.tenant.pk
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        with tenant_context(t, user_id=s.manager.pk):
            membership = Membership.objects.get(pk=s.manager_membership.pk)
            job, _created = export_request(
                by=membership, kind="registrations", filters=RegistrationFilters()
            )
        asked = time.perf_counter() - started
        with tenant_context(t):
            job = export_write(export_id=job.pk)
        seconds = time.perf_counter() - started
    if job is None or job.status != "done":
        raise SystemExit(f"export failed: {getattr(job, 'error', 'not written')}")
    with tenant_context(t):
        job.file.delete(save=False)
    _forget_progress(t, job.pk)
    return Result(
        "export",
        "registration CSV export, all rows (export job: request + write)",
        queries=len(captured.captured_queries),
        seconds=seconds,
        note=(
            f"{job.rows_written:,} rows, {job.size_bytes / 2**20:.1f} MiB, "
            f"{job.rows_written / seconds:,.0f} rows/s; asking took {asked * 1000:.0f} ms"
        ),
        sql=_slowest(captured.captured_queries),
    )


def _forget_progress(tenant_id: int, export_id: int) -> None:
    from django.core.cache import cache

    from prm import exports

    cache.delete(exports._progress_key(tenant_id, export_id))  # kept an hour otherwise


# --- reporting -------------------------------------------------------------------------


def explain(s: Scratch, result: Result, top: int = 2) -> None:
    """EXPLAIN ANALYZE the slowest read queries of a measurement's warm-up run."""
    selects = [
        (t, sql)
        for t, sql in result.sql
        if sql.lstrip().upper().startswith("SELECT") and "set_config(" not in sql
    ]
    for took, sql in selects[:top]:
        print(f"\n--- {result.label}: query took {took * 1000:.1f} ms in the warm-up run\n{sql}\n")
        with tenant_context(s.tenant.pk, user_id=s.manager.pk), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            print("\n".join(row[0] for row in cursor.fetchall()))


def machine() -> str:
    major = connection.pg_version // 10000
    return f"{os.cpu_count()} cores, {platform.machine()}, PostgreSQL {major}, app role under RLS"


def report(results: list[Result], *, scale: str, runs: int) -> None:
    print("\n## Results\n")
    print("| measurement | median | p95 | queries | notes |")
    print("| --- | --- | --- | --- | --- |")
    for r in results:
        flag = " **over target**" if r.over_target else ""
        if r.seconds is not None:
            print(f"| {r.label} | {r.seconds:.2f} s (one run) | | {r.queries} | {r.note}{flag} |")
        else:
            print(
                f"| {r.label} | {r.median:.1f} ms | {r.p95:.1f} ms | {r.queries} | {r.note}{flag} |"
            )
    print(f"\nTargets: pages {PAGE_TARGET_MS[0]:.0f} ms median / {PAGE_TARGET_MS[1]:.0f} ms p95;")
    print(
        f"reclaim {RECLAIM_TARGET_S:.0f} s.  Timed runs: {runs - 1} (first of {runs} is warm-up)."
    )
    print("\nRows for the README's Benchmarks table:\n")
    for r in results:
        if r.seconds is not None:
            figure = f"{r.seconds:.2f} s, {r.queries} queries"
            rate = r.note
        else:
            figure = f"{r.median:.0f} ms median, {r.p95:.0f} ms p95 ({runs - 1} runs)"
            rate = f"{r.queries} queries"
        print(
            f"| `python bench/scale.py` — {r.label} | {scale} | {figure} | {rate} | {machine()} |"
        )


def cleanup(s: Scratch) -> None:
    # Foreign keys are checked at commit, so one transaction may delete the
    # tenant's rows from every table in any order.
    with tenant_context(s.tenant.pk), connection.cursor() as cursor:
        for table in tenant_tables():
            cursor.execute(f'DELETE FROM "{table}" WHERE tenant_id = %s', [s.tenant.pk])
    User.objects.filter(pk__in=s.user_ids).delete()
    Tenant.objects.filter(pk=s.tenant.pk).delete()


def drop_kept(slug: str) -> None:
    """Delete a scratch tenant an earlier ``--keep`` run left, with its people."""
    token = slug.removeprefix("bench-scale-")
    tenant = Tenant.objects.filter(slug=slug).first()
    if not slug.startswith("bench-scale-") or tenant is None:
        raise SystemExit(f"no scratch tenant {slug}")
    users = User.objects.filter(
        email__startswith=f"bench-{token}-", email__endswith="@bench.example"
    )
    manager = users.get(email=f"bench-{token}-manager@bench.example")
    s = Scratch(tenant, manager, None, list(users.values_list("pk", flat=True)), [], {}, [])
    cleanup(s)
    vacuum_analyse()
    print(f"deleted scratch tenant {slug} and its {len(s.user_ids):,} people")


def purge_queues() -> None:
    """Delete the messages published to this run's queues (nobody consumes them)."""
    try:
        import redis

        broker = redis.Redis.from_url(settings.REDIS_URL)
        for key in broker.scan_iter(match=f"*{QUEUE_PREFIX}*"):
            broker.delete(key)
    except Exception as error:  # noqa: BLE001  (a leftover queue is no reason to fail)
        print(f"queues {QUEUE_PREFIX}.* not purged: {error}")


MEASUREMENTS = [
    "list",
    "list-deep",
    "list-status",
    "list-status-rare",
    "list-partner",
    "queue",
    "conflicts",
    "home-console",
    "home-partner",
    "conflict-check",
    "conflict-detect",
    "reclaim",
    "export",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partners", type=int, default=2_000)
    parser.add_argument("--registrations", type=int, default=200_000)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--conflicts", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=30, help="per measurement, incl. warm-up")
    parser.add_argument(
        "--only",
        default="",
        help=f"comma list of measurements (a name also selects name-*): {', '.join(MEASUREMENTS)}",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="EXPLAIN ANALYZE the slowest queries of every page (always done when over target)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch tenant")
    parser.add_argument("--drop", metavar="SLUG", help="only delete a scratch tenant kept before")
    args = parser.parse_args()
    if args.runs < 2:
        parser.error("--runs must be at least 2 (the first is a warm-up)")
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [n for n in only if not any(m == n or m.startswith(n + "-") for m in MEASUREMENTS)]
    if unknown:
        parser.error(f"unknown measurement(s): {', '.join(unknown)}")

    def wanted(name: str) -> bool:
        return not only or any(name == n or name.startswith(n + "-") for n in only)

    if args.drop:
        drop_kept(args.drop)
        return
    print(f"machine: {machine()}")
    s = create_scratch()
    client = None
    try:
        generate(
            s,
            partners=args.partners,
            registrations=args.registrations,
            leads=args.leads,
            conflicts=args.conflicts,
        )
        _timed("vacuum and analyse", vacuum_analyse)
        describe(s)
        client = Client(HTTP_HOST="localhost")
        client.force_login(s.manager)
        results = measure_pages(s, client, args.runs, wanted)
        results += measure_homes(s, client, args.runs, wanted)
        results += measure_conflict_check(s, args.runs, wanted)
        if wanted("reclaim"):
            for overdue in (250, 1_000):
                results.append(measure_reclaim(s, overdue))
        if wanted("export"):
            results.append(measure_export(s, client))
        scale = (
            f"{args.registrations:,} registrations, {args.partners:,} partners, "
            f"{args.leads:,} leads"
        )
        report(results, scale=scale, runs=args.runs)
        for r in results:
            if r.over_target or (args.explain and r.times_ms):
                explain(s, r)
        if any(r.name == "reclaim" for r in results):
            print("\nreclaim, its slowest statements (1,000 overdue):")
            for took, sql in [r for r in results if r.name == "reclaim"][-1].sql[:5]:
                print(f"  {took * 1000:7.1f} ms  {sql[:150]}")
    finally:
        if client is not None:
            client.logout()
        if args.keep:
            print(f"kept scratch tenant {s.tenant.slug}; delete it with --drop {s.tenant.slug}")
        else:
            cleanup(s)
            # so that the next run fills the space again instead of growing the tables
            _timed("scratch data deleted; vacuum", vacuum_analyse)
        purge_queues()


if __name__ == "__main__":
    main()
