"""Small checks of typed-in values that several partner services share."""

from __future__ import annotations

from collections.abc import Iterable

from prm.text import LINE_TEXT, length_problems


def unique_in_order(values: Iterable) -> tuple:
    return tuple(dict.fromkeys(values))


def required_text(
    errors: dict, name: str, value: str, message: str, *, limit: int = LINE_TEXT
) -> str:
    """The trimmed value; ``message`` on ``name`` when it is empty, a length
    problem when it is longer than ``limit``."""
    value = (value or "").strip()
    if not value:
        errors[name] = message
    errors.update(length_problems({name: value}, {name: limit}))
    return value
