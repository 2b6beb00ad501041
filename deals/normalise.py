"""Normalising customer names so the same customer matches itself, in any script.

A name becomes its *key*: written in Latin letters (``anyascii`` transliterates
every script: "Газпром" → "gazprom", "Łoś" → "los", "Ørsted" → "orsted",
"Straße" → "strasse"; each Chinese character is a word, since Chinese puts no
spaces between words, and trade words and legal forms of Chinese, Japanese and
Korean are cut out of the words around them (``deals.trade_words``), in lower case, "&" as
"and", without punctuation (letters written with dots or slashes between them are
one word: "S.A.R.L." and "A/S" read "sarl" and "as"), with common abbreviations written
one way (International → intl), and without the legal form
(``deals.legal_forms``) at its end or, where a legal system puts it there, at
its start.  "ACME Inc.", "Acme, Incorporated" and "acme" all become "acme";
"OOO Газпром" and "Gazprom LLC" both become "gazprom".

A name with letters or digits never has an empty key: a name that is only a
legal form ("Inc") keeps it as its key.  Keys are at most ``KEY_MAX`` long.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

from .legal_forms import BOTH, END, FRONT, TABLE
from .trade_words import TRADE_WORDS

# Chinese characters are words of one syllable, written without spaces: each
# character is a word.  (Kana and Hangul spell words of several syllables.)
_HAN = re.compile(
    "["
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "]"
)
_RUN_TOGETHER = re.compile("[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af]")
_QUOTES = re.compile(r"['`]")  # transliterations write some letters as quotes
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

# The same word written two ways becomes one way, on both sides of a comparison.
ABBREVIATIONS = {
    "international": "intl",
    "internat": "intl",
    "int": "intl",
    "technologies": "tech",
    "technology": "tech",
    "technologie": "tech",
    "technologien": "tech",
    "tecnologia": "tech",
    "technik": "tech",
    "holdings": "holding",
    "hldgs": "holding",
    "hldg": "holding",
    "grp": "group",
    "gruppe": "group",
    "grupo": "group",
    "groupe": "group",
    "manufacturing": "mfg",
    "brothers": "bros",
    "associates": "assoc",
    "national": "natl",
    "services": "svcs",
    "systems": "sys",
    "laboratories": "labs",
    "laboratory": "labs",
    "industries": "ind",
    "industry": "ind",
    "industrial": "ind",
    "and": "and",
}
# Keys are stored in columns of this length; a transliterated name can be longer
# than the name (each Chinese character becomes a syllable).
KEY_MAX = 200

# Words that say what kind of organisation it is rather than which one; like a
# legal form they are dropped from the end ("Siemens Group" is Siemens).
DESCRIPTORS_AT_END = (("group",), ("holding",))


@lru_cache(maxsize=1)
def _native_words() -> re.Pattern:
    """Trade words and legal forms of scripts that run words together, longest
    first, to be cut out of the words around them."""
    forms = {
        unicodedata.normalize("NFKC", form).casefold()
        for _system, _where, table_forms in TABLE
        for form in table_forms
        if _RUN_TOGETHER.search(form)
    }
    words = sorted({*forms, *TRADE_WORDS}, key=len, reverse=True)
    return re.compile("|".join(re.escape(word) for word in words))


def _cut_out(match: re.Match) -> str:
    word = match.group()
    return f" {TRADE_WORDS.get(word, word)} "


def tokens(name: str) -> list[str]:
    """The name's words in lower-case Latin letters and digits."""
    text = unicodedata.normalize("NFKC", name or "").casefold().replace("&", " and ")
    text = _native_words().sub(_cut_out, text)
    text = _HAN.sub(lambda match: f" {match.group()} ", text)
    text = _QUOTES.sub("", anyascii(text).lower())
    words = [word for chunk in text.split() for word in _chunk_words(chunk)]
    return [ABBREVIATIONS.get(word, word) for word in words]


def _chunk_words(chunk: str) -> list[str]:
    """The words of a run of text without spaces.  Letters written with dots or
    slashes between them are one word ("s.a.r.l." → "sarl", "a/s" → "as");
    otherwise punctuation separates words ("hewlett-packard")."""
    parts = _NOT_ALNUM.sub(" ", chunk).split()
    if len(parts) > 1 and all(len(part) == 1 and part.isalpha() for part in parts):
        return ["".join(parts)]
    return parts


@lru_cache(maxsize=1)
def _forms() -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]:
    """(forms removed from the end, forms removed from the start), as word
    tuples, longest first so "sdn bhd" goes before "bhd"."""
    at_end: set[tuple[str, ...]] = set(DESCRIPTORS_AT_END)
    at_front: set[tuple[str, ...]] = set()
    for _system, where, forms in TABLE:
        for form in forms:
            words = tuple(tokens(form))
            if not words:
                continue
            if where in (END, BOTH):
                at_end.add(words)
            if where in (FRONT, BOTH):
                at_front.add(words)

    def longest_first(forms: set[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
        return tuple(sorted(forms, key=lambda words: (-len(words), words)))

    return longest_first(at_end), longest_first(at_front)


def _strip_forms(words: list[str]) -> list[str]:
    at_end, at_front = _forms()
    changed = True
    while changed:
        changed = False
        for form in at_end:
            if len(words) > len(form) and tuple(words[-len(form) :]) == form:
                words = words[: -len(form)]
                changed = True
                break
        for form in at_front:
            if len(words) > len(form) and tuple(words[: len(form)]) == form:
                words = words[len(form) :]
                changed = True
                break
    return words


def customer_key(name: str) -> str:
    """The key conflicts are found by (see the module's description)."""
    words = tokens(name)
    core = _strip_forms(words)
    if len(core) > 1 and core[0] == "the":
        core = core[1:]
    key = " ".join(core)
    if len(key) > KEY_MAX:
        key = key[: KEY_MAX + 1].rsplit(" ", 1)[0] if " " in key[:KEY_MAX] else key[:KEY_MAX]
    return key
