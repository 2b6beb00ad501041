"""Normalising customer names and domains so the same customer matches itself.

"ACME Inc.", "Acme, Incorporated" and "acme" all become "acme": case, accents
and punctuation are dropped, "&" reads "and", and legal-form suffixes (Inc,
Ltd, GmbH, Sp. z o.o., Sdn Bhd, …) are removed from the end.
"""

import re
import unicodedata

# Multi-word forms are written with single spaces, as they look after punctuation
# has become spaces ("Sp. z o.o." → "sp z o o").
LEGAL_FORMS = sorted(
    {
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "ltd",
        "limited",
        "llc",
        "llp",
        "lp",
        "plc",
        "pllc",
        "gmbh",
        "mbh",
        "ag",
        "kg",
        "ohg",
        "ug",
        "se",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "sl",
        "bv",
        "nv",
        "oy",
        "oyj",
        "ab",
        "as",
        "asa",
        "aps",
        "kk",
        "pty",
        "pte",
        "pvt",
        "private",
        "bhd",
        "sdn bhd",
        "sp z o o",
        "spzoo",
        "sp zoo",
        "s a",
        "s r l",
        "s p a",
        "b v",
        "n v",
        "l l c",
        "co ltd",
        "pty ltd",
        "pte ltd",
        "pvt ltd",
        "gmbh co kg",
        "kft",
        "zrt",
        "doo",
        "d o o",
        "sro",
        "s r o",
        "ltda",
        "sa de cv",
        "cv",
        "gmbh and co kg",
        "gmbh and co",
        "and co kg",
        "and co",
        "and company",
    },
    key=lambda form: -len(form),  # longest first, so "sdn bhd" wins over "bhd"
)
_PUNCTUATION = re.compile(r"[^\w\s]|_", re.UNICODE)
_SPACES = re.compile(r"\s+")


def customer_key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ")
    text = _SPACES.sub(" ", _PUNCTUATION.sub(" ", text)).strip()
    text = text.removeprefix("the ")
    stripped = True
    while stripped and text:
        stripped = False
        for form in LEGAL_FORMS:
            if text == form:
                break
            if text.endswith(" " + form):
                text = text[: -len(form) - 1].rstrip()
                stripped = True
                break
    return text
