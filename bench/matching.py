"""Benchmark: how well customer-name matching finds the same company, and how
often it confuses different ones.

    python bench/matching.py [--thresholds 0.45,0.65] [--examples 10] [--keep | --drop SLUG]

Reads ``bench/data/matching_pairs.csv`` (two names of the same company) and
``bench/data/matching_distinct.csv`` (names of distinct companies), both built from
public sources by ``bench/matching_data.py``.  In a scratch tenant, as the app role
under row-level security, every pair's first name and every distinct name is stored
as one of the vendor's direct accounts, keyed by the product's normaliser; then, for
each threshold (the vendor's default, ``DealSettings.name_similarity``, and the
``--thresholds``), the product's conflict detection is asked about

* each pair's second name: the pair is *detected* when its first name's account is
  among the accounts the name competes with (a partner registers the company under
  one name while the vendor's list has it under the other);
* each distinct name: every other distinct company it competes with is a *false
  pair* (counted once for the two names, whichever side found it).

The matcher is imported from the tree when the script runs (``Matcher`` below is
the only code that touches it), so running this again after the matcher changed
gives the new figures.  The scratch tenant is deleted at the end (unless ``--keep``).
"""

from __future__ import annotations

import argparse
import csv
import importlib
import itertools
import os
import random
import signal
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from deals.models import DealSettings, DirectAccount  # noqa: E402
from prm.models import Tenant  # noqa: E402
from prm.rls import tenant_tables  # noqa: E402
from prm.tenancy import tenant_context  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
SEED = 7


class Matcher:
    """The product's customer-name matcher, as the tree has it when the script runs.

    Names are stored the way the direct-account import stores them (the name and its
    key from ``deals.normalise.customer_key``) and asked about the way submitting a
    registration asks (``deals.conflicts.competing_direct_accounts``, the same name
    match ``competing_registrations`` uses, at the tenant's ``name_similarity``).
    Every account gets its own made-up domain and every question none, so only the
    name can match.  Should the matcher's interface change, this class is the one
    place to follow it."""

    def __init__(self) -> None:
        self.normalise = importlib.import_module("deals.normalise")
        self.conflicts = importlib.import_module("deals.conflicts")
        self._numbers = itertools.count()

    def key(self, name: str) -> str:
        return self.normalise.customer_key(name)

    def store(self, names: list[str]) -> list[int]:
        accounts = DirectAccount.objects.bulk_create(
            DirectAccount(
                name=name,
                name_key=self.key(name),
                domain=f"n{next(self._numbers)}.matching.invalid",
            )
            for name in names
        )
        return [a.pk for a in accounts]

    def competitors(self, name: str) -> set[int]:
        candidate = self.conflicts.Candidate(
            customer_key=self.key(name), customer_domain="", product_ids=(), partner_id=0
        )
        return {a.pk for a in self.conflicts.competing_direct_accounts(candidate)}


@dataclass(frozen=True)
class Pair:
    kind: str
    script: str
    country: str
    source: str
    name_a: str
    name_b: str


@dataclass
class Result:
    threshold: Decimal
    detected: list[bool]  # per pair
    false_pairs: set[tuple[int, int]]  # indexes into the distinct names
    seconds: float


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def measure(matcher: Matcher, pairs, distinct, pair_ids, distinct_ids, threshold) -> Result:
    DealSettings.objects.update_or_create(defaults={"name_similarity": threshold})
    started = time.perf_counter()
    detected = [pair_ids[i] in matcher.competitors(p.name_b) for i, p in enumerate(pairs)]
    index_of = {pk: i for i, pk in enumerate(distinct_ids)}
    false_pairs = set()
    for i, name in enumerate(distinct):
        for pk in matcher.competitors(name):
            j = index_of.get(pk)
            if j is not None and j != i:
                false_pairs.add((min(i, j), max(i, j)))
    return Result(threshold, detected, false_pairs, time.perf_counter() - started)


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "–"


def report(results: list[Result], pairs, distinct_rows, default, args, keys) -> None:
    distinct = [r["name"] for r in distinct_rows]
    print("\n## Customer-name matching (bench/matching.py)\n")
    print("| threshold | same-company pairs | detected | recall | distinct names | false pairs |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        mark = " (default)" if r.threshold == default else ""
        hits = sum(r.detected)
        print(
            f"| {r.threshold}{mark} | {len(pairs):,} | {hits:,} | {percent(hits, len(pairs))} "
            f"| {len(distinct):,} | {len(r.false_pairs):,} |"
        )

    main = next(r for r in results if r.threshold == default)
    for label, group in (("script", lambda p: p.script), ("kind", lambda p: p.kind)):
        print(f"\nAt the default threshold {default}, by {label} of the pair:\n")
        print(f"| {label} | pairs | detected | recall |")
        print("| --- | ---: | ---: | ---: |")
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for pair, hit in zip(pairs, main.detected, strict=True):
            totals[group(pair)][0] += 1
            totals[group(pair)][1] += hit
        for name, (n, hits) in sorted(totals.items()):
            print(f"| {name} | {n:,} | {hits:,} | {percent(hits, n)} |")

    scripts = Counter(r["script"] for r in distinct_rows)
    by_script = Counter()
    for i, j in main.false_pairs:
        a, b = distinct_rows[i]["script"], distinct_rows[j]["script"]
        by_script[a if a == b else f"{a}-{b}"] += 1
    print(
        f"\nDistinct names by script: {', '.join(f'{s} {n:,}' for s, n in sorted(scripts.items()))}"
    )
    print(
        f"False pairs at {default} by script: "
        f"{', '.join(f'{s} {n:,}' for s, n in sorted(by_script.items())) or 'none'}"
    )
    empty = [
        n for n in distinct + [p.name_a for p in pairs] + [p.name_b for p in pairs] if not keys[n]
    ]
    print(
        f"Names whose key is empty (the account import refuses them; they match nothing): "
        f"{len(empty):,} of {len(distinct) + 2 * len(pairs):,}"
    )

    rng = random.Random(SEED)
    misses = [p for p, hit in zip(pairs, main.detected, strict=True) if not hit]
    print(f"\n{min(args.examples, len(misses))} of the {len(misses):,} missed pairs at {default}:")
    for p in sorted(rng.sample(misses, min(args.examples, len(misses))), key=lambda p: p.script):
        keys_ab = f"keys {keys[p.name_a]!r} / {keys[p.name_b]!r}"
        print(f"  [{p.script}, {p.kind}] {p.name_a!r} ≠ {p.name_b!r}  ({keys_ab})")
    false = sorted(main.false_pairs)
    print(f"\n{min(args.examples, len(false))} of the {len(false):,} false pairs at {default}:")
    for i, j in sorted(rng.sample(false, min(args.examples, len(false)))):
        keys_ij = f"keys {keys[distinct[i]]!r} / {keys[distinct[j]]!r}"
        print(f"  {distinct[i]!r} ~ {distinct[j]!r}  ({keys_ij})")


def cleanup(tenant: Tenant) -> None:
    with tenant_context(tenant.pk), connection.cursor() as cursor:
        for table in tenant_tables():
            cursor.execute(f'DELETE FROM "{table}" WHERE tenant_id = %s', [tenant.pk])
    Tenant.objects.filter(pk=tenant.pk).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=Path, default=DATA / "matching_pairs.csv")
    parser.add_argument("--distinct", type=Path, default=DATA / "matching_distinct.csv")
    parser.add_argument(
        "--thresholds",
        default="0.45,0.65",
        help="other thresholds to measure besides the default (comma-separated; '' for none)",
    )
    parser.add_argument("--examples", type=int, default=10, help="misses and false pairs shown")
    parser.add_argument("--keep", action="store_true", help="keep the scratch tenant")
    parser.add_argument("--drop", metavar="SLUG", help="delete a scratch tenant --keep left")
    args = parser.parse_args()
    if args.drop:
        tenant = Tenant.objects.filter(slug=args.drop, slug__startswith="bench-matching-").first()
        if tenant is None:
            raise SystemExit(f"no scratch tenant {args.drop}")
        cleanup(tenant)
        print(f"deleted scratch tenant {args.drop}")
        return
    # A stopped run (Ctrl-C, kill) still deletes its scratch tenant.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    pairs = [Pair(**row) for row in read(args.pairs)]
    distinct_rows = read(args.distinct)
    distinct = [row["name"] for row in distinct_rows]
    default = DealSettings._meta.get_field("name_similarity").default
    thresholds = sorted({default} | {Decimal(t) for t in args.thresholds.split(",") if t.strip()})

    matcher = Matcher()
    print(f"matcher: {matcher.normalise.__file__}, {matcher.conflicts.__file__}")
    keys = {
        n: matcher.key(n) for n in distinct + [p.name_a for p in pairs] + [p.name_b for p in pairs]
    }
    token = uuid.uuid4().hex[:10]
    tenant = Tenant.objects.create(name=f"Bench {token}", slug=f"bench-matching-{token}")
    results = []
    try:
        with tenant_context(tenant.pk):
            pair_ids = matcher.store([p.name_a for p in pairs])
            distinct_ids = matcher.store(distinct)
        for threshold in thresholds:
            with tenant_context(tenant.pk):
                result = measure(matcher, pairs, distinct, pair_ids, distinct_ids, threshold)
            results.append(result)
            print(
                f"threshold {threshold}: {sum(result.detected):,} of {len(pairs):,} pairs "
                f"detected, {len(result.false_pairs):,} false pairs "
                f"({len(pairs) + len(distinct):,} checks in {result.seconds:.1f} s)"
            )
        report(results, pairs, distinct_rows, default, args, keys)
    finally:
        if args.keep:
            print(f"kept scratch tenant {tenant.slug}")
        else:
            cleanup(tenant)
            print("\nscratch data deleted")


if __name__ == "__main__":
    main()
