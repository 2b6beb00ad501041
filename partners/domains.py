"""Web and e-mail domains as people type them, normalised the one way every
app compares them ("https://www.Example.com/about" and "jane@example.com" are
both "example.com")."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def normalise_domain(value: str) -> str:
    """'https://www.Example.com/about' or 'jane@example.com' → 'example.com'."""
    domain = value.strip().lower()
    domain = domain.rsplit("@", 1)[-1]
    domain = re.sub(r"^[a-z]+://", "", domain).split("/", 1)[0].split(":", 1)[0]
    domain = domain.removeprefix("www.")
    if not _DOMAIN.match(domain):
        raise ValidationError(_("“%(value)s” is not a valid domain.") % {"value": value})
    return domain


def normalise_domains(values: list[str]) -> list[str]:
    """Normalise many domains at once (sorted, without repeats); every invalid one
    is reported on the ``domains`` field."""
    domains, problems = set(), []
    for value in values:
        try:
            domains.add(normalise_domain(value))
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise ValidationError({"domains": problems})
    return sorted(domains)
