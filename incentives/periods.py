"""A program's periods: the calendar slices its runs pay for.

Monthly, quarterly and yearly periods follow the calendar and are clipped to
the program's own dates; a custom program is one period from its start to its
end.  Pure functions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

MONTHS_PER_PERIOD = {"monthly": 1, "quarterly": 3, "yearly": 12}


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


def _slice(calendar: str, day: datetime.date) -> Period:
    months = MONTHS_PER_PERIOD[calendar]
    first_month = (day.month - 1) // months * months + 1
    start = datetime.date(day.year, first_month, 1)
    next_month = first_month + months
    year = day.year + (next_month - 1) // 12
    month = (next_month - 1) % 12 + 1
    return Period(start, datetime.date(year, month, 1) - datetime.timedelta(days=1))


def period_of(
    calendar: str, starts_on: datetime.date, ends_on: datetime.date, day: datetime.date
) -> Period | None:
    """The program's period holding ``day``; None outside the program's dates."""
    if not starts_on <= day <= ends_on:
        return None
    if calendar == "custom":
        return Period(starts_on, ends_on)
    whole = _slice(calendar, day)
    return Period(max(whole.start, starts_on), min(whole.end, ends_on))


def previous_period(
    calendar: str, starts_on: datetime.date, ends_on: datetime.date, period: Period
) -> Period:
    """The calendar slice before ``period`` (not clipped to the program: the
    first period's previous one lies before the program began); for a custom
    program, the same number of days just before it."""
    day = period.start - datetime.timedelta(days=1)
    if calendar == "custom":
        return Period(day - (period.end - period.start), day)
    return _slice(calendar, day)


def periods_between(
    calendar: str, starts_on: datetime.date, ends_on: datetime.date
) -> list[Period]:
    """Every period of the program, in order."""
    periods = []
    day = starts_on
    while day <= ends_on:
        period = period_of(calendar, starts_on, ends_on, day)
        periods.append(period)
        day = period.end + datetime.timedelta(days=1)
    return periods
