"""Codes and domains typed by people (in forms and CSV cells), checked the same
way everywhere in deals."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from partners.domains import normalise_domain
from prm.csv_import import Sheet


def country_code(value: str, field: str = "country") -> str:
    """An upper-case two-letter country code, or a ValidationError on ``field``."""
    country = (value or "").strip().upper()
    if len(country) != 2 or not country.isalpha() or not country.isascii():
        raise ValidationError({field: _("Use a two-letter country code, such as DE.")})
    return country


def domain_cell(sheet: Sheet, number: int, column: str, value: str) -> str | None:
    """The normalised domain, "" for none, or None (with a problem) when invalid."""
    if not value:
        return ""
    return sheet.clean(number, column, value, normalise_domain)
