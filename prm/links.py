"""Links in e-mails, built by the web layer.

Services e-mail people links to pages (an invitation, a lead, an
announcement), but the pages and their URLs belong to the web layer above
the apps.  So the web layer registers a builder per link name at start-up
(as apps register metrics) and services ask for the link by name; the core
and the apps never name a URL pattern.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

_builders: dict[str, Callable[..., str]] = {}


def link_register(name: str, build: Callable[..., str]) -> None:
    """``build(**params)`` returns the path of the page (e.g. from ``reverse``)."""
    _builders[name] = build


def link(name: str, **params) -> str:
    """The absolute URL of the page named ``name``, for an e-mail."""
    return settings.SITE_URL.rstrip("/") + link_path(name, **params)


def link_path(name: str, **params) -> str:
    """The path of the page named ``name``, for a link inside the product."""
    try:
        build = _builders[name]
    except KeyError:
        raise LookupError(f"No link builder is registered for {name!r}.") from None
    return build(**params)


def registered() -> list[str]:
    return sorted(_builders)
