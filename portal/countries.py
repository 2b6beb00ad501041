"""ISO 3166-1 countries for the web layer: their names in the reader's language
(from ``django_countries``) and the lookup that turns what a person typed (a
name in the page's language or in English, or a two-letter code) into the
country's code.  Services store and check the codes; imports keep taking codes."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from django.utils import translation
from django_countries import countries

# Names people use that the country list does not give.
ALIASES = {
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "usa": "US",
    "united states": "US",
    "america": "US",
    "uae": "AE",
}


def _key(text: str) -> str:
    """Case, accents, punctuation and spacing do not matter: "côte d'ivoire"
    finds "Côte d’Ivoire"."""
    decomposed = unicodedata.normalize("NFKD", str(text)).casefold()
    kept = "".join(
        ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch)
    )
    return " ".join(kept.split())


def country_choices() -> list[tuple[str, str]]:
    """(code, name) of every country, sorted by name in the active language."""
    return [(country.code, str(country.name)) for country in countries]


def country_name(code: str) -> str:
    """The country's name in the active language, or "" for a code that is none."""
    code = (code or "").strip().upper()
    return str(countries.name(code)) if code in countries else ""


@lru_cache(maxsize=32)
def _names(language: str) -> dict[str, str]:
    """Every name a country goes by in ``language`` (its current and its
    common or former names), keyed for lookup, to its code."""
    found: dict[str, str] = {}
    with translation.override(language):
        for country in countries:
            found.setdefault(_key(country.name), country.code)
        for code, names in countries.shadowed_names.items():
            for name in names:
                found.setdefault(_key(name), code)
    return found


def country_code_for(text: str) -> str | None:
    """The code of the country ``text`` names, or None.  A two-letter code is
    taken as one; otherwise the whole name must match (in the active language
    or in English), so "Germany" is DE and never GE (Georgia)."""
    text = (text or "").strip()
    if not text:
        return None
    key = _key(text)
    if len(text) == 2 and text.isascii() and text.isalpha() and text.upper() in countries:
        return text.upper()
    if key in ALIASES:
        return ALIASES[key]
    for language in dict.fromkeys([translation.get_language() or "en", "en"]):
        code = _names(language).get(key)
        if code:
            return code
    return None
