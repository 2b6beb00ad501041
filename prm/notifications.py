"""Telling people what happened: one notification service for every app.

An app registers each *kind* of notification at start-up (its
``notifications.py``: the key, a label for the preferences page, which roles
may receive it, the default e-mail choice, and how its title and text read),
and its services call ``notify`` inside the action's own transaction, naming
the recipients (memberships), the event (what happened, unique per recipient
and kind: ``registration:42:approved``), the details the texts need and the
page it links to.

``notify`` writes one ``Notification`` per recipient in one statement,
``ON CONFLICT DO NOTHING`` on (recipient, kind, event), so notifying twice of
one event notifies once.  Each new notification the recipient wants at once
is e-mailed through the outbox — one message per recipient with only that
recipient's address; the others wait for the daily digest or stay in the
inbox only (as every notice sent with ``email=False`` does).  Words are
rendered when read, in the reader's language (the tenant's for e-mail), from
``params``: an app never stores sentences.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime

from .enqueue import enqueue_many_after_commit
from .models import EmailChoice, Membership, Notification, NotificationPreference
from .tenancy import require_tenant_id

Texts = Callable[[dict], str]


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: str
    roles: frozenset[str]
    title: Texts
    # The e-mail's text above the link; the title alone when empty.
    body: Texts | None = None
    default_email: str = EmailChoice.IMMEDIATE
    # Grouping on the preferences page.
    group: str = field(default="")


_kinds: dict[str, NotificationKind] = {}


def notification_kind_register(kind: NotificationKind) -> None:
    _kinds[kind.key] = kind


def notification_kinds() -> dict[str, NotificationKind]:
    return dict(_kinds)


def notification_kind(key: str) -> NotificationKind:
    try:
        return _kinds[key]
    except KeyError:
        raise LookupError(f"No notification kind {key!r} is registered.") from None


def kinds_for_role(role: str) -> list[NotificationKind]:
    return [kind for kind in _kinds.values() if role in kind.roles]


@dataclass(frozen=True)
class Notice:
    """One event to tell ``recipients`` (membership ids) about."""

    recipients: tuple[int, ...]
    event: str
    params: dict = field(default_factory=dict)
    link: str = ""
    link_params: dict = field(default_factory=dict)
    # False: never e-mailed, whatever the recipients chose (stored as ``none``:
    # the inbox only).
    email: bool = True


def notify(
    key: str,
    *,
    recipients: Iterable[int | Membership],
    event: str,
    params: dict | None = None,
    link: str = "",
    link_params: dict | None = None,
    email: bool = True,
) -> list[int]:
    """Notify the active ``recipients`` whose role may receive ``key`` that
    ``event`` happened.  Returns the ids of the notifications written now
    (none for recipients notified of this event before).  With
    ``email=False`` the notification stays in the inbox only, whatever the
    recipients chose."""
    ids = tuple(r.pk if isinstance(r, Membership) else int(r) for r in recipients)
    notice = Notice(ids, event, params or {}, link, link_params or {}, email=email)
    return notify_many(key, [notice])


_INSERT_SQL = """
INSERT INTO {notification}
    (tenant_id, recipient_id, kind, event, params, link_name, link_params, created_at, email)
SELECT m.tenant_id, m.id, %(kind)s, n.event, n.params::jsonb, n.link, n.link_params::jsonb,
       now(),
       CASE WHEN n.email THEN
       -- one index probe per recipient (unique tenant, membership, kind), whatever the plan
       COALESCE((SELECT p.email FROM {preference} p
                  WHERE p.tenant_id = m.tenant_id AND p.membership_id = m.id
                    AND p.kind = %(kind)s), %(default)s)
       ELSE %(none)s END
  FROM unnest(%(recipients)s::bigint[], %(events)s::text[], %(params)s::text[],
              %(links)s::text[], %(link_params)s::text[], %(emails)s::boolean[])
       AS n(recipient_id, event, params, link, link_params, email)
  JOIN {membership} m ON m.id = n.recipient_id
 WHERE m.tenant_id = %(tenant)s AND m.is_active AND m.role = ANY(%(roles)s)
ORDER BY n.recipient_id, n.event
ON CONFLICT (tenant_id, recipient_id, kind, event) DO NOTHING
RETURNING id, email
"""


def notify_many(key: str, notices: Iterable[Notice]) -> list[int]:
    """``notify`` for many events of one kind in one statement (a batch job
    offering a thousand leads writes their notifications at once)."""
    kind = notification_kind(key)
    rows: dict[tuple[int, str], Notice] = {}
    for notice in notices:
        for recipient in notice.recipients:
            rows.setdefault((int(recipient), notice.event[:200]), notice)
    if not rows:
        return []
    keys = sorted(rows)
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_SQL.format(
                notification=Notification._meta.db_table,
                membership=Membership._meta.db_table,
                preference=NotificationPreference._meta.db_table,
            ),
            {
                "kind": kind.key,
                "default": str(kind.default_email),
                "none": str(EmailChoice.NONE),
                "tenant": require_tenant_id(),
                "roles": sorted(kind.roles),
                "recipients": [recipient for recipient, _event in keys],
                "events": [event for _recipient, event in keys],
                "params": [_json(rows[k].params) for k in keys],
                "links": [rows[k].link for k in keys],
                "link_params": [_json(rows[k].link_params) for k in keys],
                "emails": [bool(rows[k].email) for k in keys],
            },
        )
        written = cursor.fetchall()
    at_once = [[notification_id] for notification_id, email in written if email == "immediate"]
    enqueue_many_after_commit("prm.notification_email", at_once)
    return [notification_id for notification_id, _email in written]


def _json(value: dict) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder)


def title_of(notification: Notification) -> str:
    kind = _kinds.get(notification.kind)
    return kind.title(notification.params) if kind else notification.kind


def body_of(notification: Notification) -> str:
    kind = _kinds.get(notification.kind)
    if kind is None:
        return ""
    return kind.body(notification.params) if kind.body else ""


def when(value: str) -> str:
    """A moment stored in ``params`` (ISO 8601), as the reader writes it: in the
    current time zone and language."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        return value
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def day(value) -> str:
    """A day stored in ``params`` (ISO 8601, ``2026-07-01``), as the reader
    writes it: in the current language's short date format."""
    if value is None or value == "":
        return ""
    try:
        date = parse_date(value) if isinstance(value, str) else value
    except ValueError:
        date = None
    if date is None:
        return value
    return formats.date_format(date, "SHORT_DATE_FORMAT")


def money(value, currency: str) -> str:
    """An amount stored in ``params`` (a decimal string) with its currency, as
    the reader writes it: ``183,000.00 USD`` / ``183 000,00 USD``."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return f"{value} {currency}".strip()
    shown = formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
    return f"{shown} {currency}".strip()
