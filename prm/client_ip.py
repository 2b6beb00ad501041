"""The address of the person at the other end, behind a known number of proxies.

Behind a TLS proxy every request arrives from the proxy's address; the client's
own address is in ``X-Forwarded-For``, where each proxy appends the address it
was called from.  Only the entries our own proxies appended can be trusted (a
client can send any header it likes), so with ``TRUSTED_PROXY_COUNT`` = N the
client is the N-th entry from the right.  Rate limits and audit records key
on this address, never on ``REMOTE_ADDR`` directly.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's address; the connecting address when no proxy is trusted or
    the request did not pass through all of them."""
    remote = request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104 - a key, not a bind address
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop for hop in forwarded.split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    return _valid(hops[-proxies]) or remote
