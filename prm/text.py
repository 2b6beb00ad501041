"""How long typed-in text may be, and checking it in services.

Forms cap every field (the browser then stops at the limit too); services
check again, so an API or a script meets the same limits.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

# Notes, descriptions, bodies, answers.
LONG_TEXT = 10_000
# A reason given with a decision.
REASON_TEXT = 2_000
# Names, titles, search terms and other one-line values.
LINE_TEXT = 200


def length_problems(values: Mapping[str, str | None], limits: Mapping[str, int]) -> dict:
    """``{field: message}`` for every value longer than its limit."""
    return {
        field: _("Keep this under %(n)d characters.") % {"n": limit + 1}
        for field, limit in limits.items()
        if len(values.get(field) or "") > limit
    }
