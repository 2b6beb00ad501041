"""How alike two customer keys are, and what part of a name tells it apart.

``similarity`` is pg_trgm's (the share of three-letter pieces two keys have in
common, each word padded with two spaces in front and one behind), computed in
Python for the few candidates the database found, so that the distinctive
parts of their names can be compared too.  A test holds it to PostgreSQL's.

``distinctive`` drops the words many unrelated companies share ("bank",
"pharmaceutical", "ind", "tech" …): two different "… Pharmaceutical Industries"
are alike only in those words, so their distinctive parts are not.
"""

from __future__ import annotations

from functools import lru_cache

# Keys' words (see deals.normalise) that name a trade or a kind of business
# rather than the business.  Abbreviated words appear as the normaliser writes them.
GENERIC_WORDS = frozenset(
    """
    and of the for de la le du des del da do di der die das und et y e i
    bank banking banco banque bancorp financial finance capital investment investments
    insurance assurance assurances versicherung credit trust fund funds
    pharmaceutical pharmaceuticals pharma pharmaceutica therapeutics biotech bio
    medical health healthcare hospital labs sciences science life
    ind tech intl natl svcs sys holding group global worldwide
    solutions consulting consultants consultancy software systems digital data cloud networks
    network communications communication telecom telecommunications media
    energy power electric electrical electronics oil gas petroleum mining
    resources steel metals chemicals chemical materials
    motors motor automotive auto cars logistics transport shipping airlines airline
    foods food beverages products trading enterprises ventures partners assoc
    management development construction engineering realty properties estate
    retail stores marketing design studio studios hotels resorts travel
    packaging entertainment service trade
    manufacturing mfg industries industrial
    company firm agency center centre institute
    north south east west central american america europe european asia pacific
    china japan korea india
    """.split()
)


@lru_cache(maxsize=4096)
def trigrams(key: str) -> frozenset[str]:
    grams: set[str] = set()
    for word in key.split():
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity of two keys (0 … 1)."""
    first, second = trigrams(a), trigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def distinctive(key: str) -> str:
    """The key without its generic words; the whole key when nothing else is left."""
    kept = [word for word in key.split() if word not in GENERIC_WORDS]
    return " ".join(kept) if kept else key


def name_score(a: str, b: str) -> float:
    """How alike two customers' names are: their keys, and the parts that tell
    them apart, must both be alike; the lower of the two similarities."""
    if a == b:
        return 1.0
    return min(similarity(a, b), similarity(distinctive(a), distinctive(b)))
