"""Plausible dates: every date a person types is checked against a window
around today, so a deal cannot close in year 1 nor a deadline fall in 9999.

The windows (``WINDOWS``) are the product's rules, one per kind of date:

=====================  ==========================  ===========================
kind                   earliest                    latest
=====================  ==========================  ===========================
``expected_close``     today                       today + 3 years
``closed``             today − 5 years             today
``deadline``           today                       today + 5 years
``happened``           now − 5 years               now (+ a few minutes' skew)
=====================  ==========================  ===========================
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

YEAR = datetime.timedelta(days=365)


@dataclass(frozen=True)
class Window:
    before: datetime.timedelta  # how far back from today a date may be
    after: datetime.timedelta  # how far ahead


WINDOWS = {
    "expected_close": Window(before=datetime.timedelta(0), after=3 * YEAR),
    "closed": Window(before=5 * YEAR, after=datetime.timedelta(0)),
    "deadline": Window(before=datetime.timedelta(0), after=5 * YEAR),
    "happened": Window(before=5 * YEAR, after=datetime.timedelta(minutes=5)),
}


def date_problem(value, kind: str, *, today: datetime.date | None = None) -> str | None:
    """Why ``value`` (a date or an aware datetime) lies outside its window, or None."""
    window = WINDOWS[kind]
    if isinstance(value, datetime.datetime):
        now = timezone.now()
        earliest, latest = now - window.before, now + window.after
    else:
        today = today or timezone.localdate()
        earliest, latest = today - window.before, today + window.after
    if value < earliest:
        return _("Give a date from %(date)s on.") % {"date": formats.date_format(earliest)}
    if value > latest:
        return _("Give a date until %(date)s.") % {"date": formats.date_format(latest)}
    return None


def check_date(value, kind: str, *, field: str) -> None:
    """A ValidationError on ``field`` when ``value`` lies outside its window."""
    problem = date_problem(value, kind)
    if problem:
        raise ValidationError({field: problem})
