"""Small checks of typed-in values that several partner services share."""

from __future__ import annotations

from collections.abc import Iterable


def unique_in_order(values: Iterable) -> tuple:
    return tuple(dict.fromkeys(values))


def required_text(errors: dict, name: str, value: str, message: str) -> str:
    value = value.strip()
    if not value:
        errors[name] = message
    return value
