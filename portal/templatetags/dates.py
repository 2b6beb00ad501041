"""Days kept as ISO text (``2026-07-01`` in JSON: a run's problems, audit data)
shown in the reader's short date format: ``{% load dates %}{{ value|iso_day }}``.
Dates and moments held as such use ``|date:"SHORT_DATE_FORMAT"`` and
``|date:"SHORT_DATETIME_FORMAT"``; ISO stays for machine values only
(``<time datetime>``, links, CSV and XLSX)."""

from django import template

from prm.notifications import day

register = template.Library()


@register.filter
def iso_day(value) -> str:
    return day(value) or "—"
