"""Typed-in dates must be plausible: each kind of date has its window."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from prm.dates import check_date, date_problem

TODAY = datetime.date(2030, 6, 15)


@pytest.mark.parametrize(
    "kind, value, ok",
    [
        ("expected_close", TODAY, True),
        ("expected_close", TODAY + datetime.timedelta(days=3 * 365), True),
        ("expected_close", TODAY + datetime.timedelta(days=3 * 365 + 1), False),
        ("expected_close", datetime.date(9999, 12, 31), False),
        ("closed", TODAY, True),
        ("closed", TODAY - datetime.timedelta(days=5 * 365), True),
        ("closed", datetime.date(1, 1, 1), False),
        ("closed", TODAY + datetime.timedelta(days=1), False),
        ("deadline", TODAY + datetime.timedelta(days=4 * 365), True),
        ("deadline", datetime.date(9999, 1, 1), False),
        ("deadline", TODAY - datetime.timedelta(days=1), False),
    ],
)
def test_each_kind_of_date_has_its_window(kind, value, ok):
    assert (date_problem(value, kind, today=TODAY) is None) is ok


def test_moments_are_checked_against_now():
    now = timezone.now()
    assert date_problem(now - datetime.timedelta(days=30), "happened") is None
    assert date_problem(now - datetime.timedelta(days=6 * 365), "happened")
    assert date_problem(now + datetime.timedelta(hours=1), "happened")


def test_a_problem_names_its_field():
    with pytest.raises(ValidationError) as refused:
        check_date(datetime.date(1, 1, 1), "closed", field="closed_on")
    assert "closed_on" in refused.value.message_dict
