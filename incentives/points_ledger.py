"""Building blocks of the points ledger, called by the points services inside
their transaction.

Every change of a person's points is one append-only ``PointsEntry`` and the
same change of the person's ``PointsBalance`` row, written together:

* ``balance_lock`` creates the balance row if needed and takes its row lock,
  so concurrent redemptions, adjustments and expiries of one person queue up
  and each sees what the one before left; the balance's check constraint
  refuses anything that would take it below zero all the same;
* ``entry_write`` writes an entry and moves the locked balance;
* ``events_award`` turns recorded events into earned entries and balances in
  one statement (``INSERT … ON CONFLICT DO NOTHING`` on the earned-once
  constraint, then an upsert of the balances by what was actually inserted),
  so recording an event twice awards it once;
* ``lots_left`` says, first in first out, how much of each lot (an earned
  entry or a positive adjustment) is still unspent: what was redeemed,
  expired or taken back consumes the lots by their expiry date, oldest
  first, and a returned redemption gives back to the same lots.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import PartnerMembership
from prm.events import Event, event_kind
from prm.roles import PARTNER_ROLES
from prm.tenancy import require_tenant_id

from .models import (
    EarningRule,
    ExpiryUnit,
    PointsBalance,
    PointsEntry,
    PointsSettings,
)

# Points one rule, one adjustment or one reward may be worth at most.
MAX_POINTS = 1_000_000


def whole_points(value, field: str, *, allow_negative: bool = False) -> int:
    """A whole number of points, not zero, within the limit; a ValidationError on ``field``."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = None
    if (
        number is None
        or not number.is_finite()
        or number != number.to_integral_value()
        or number == 0
        or (number < 0 and not allow_negative)
    ):
        message = (
            _("Enter a whole number of points above or below zero.")
            if allow_negative
            else _("Enter a whole number of points above zero.")
        )
        raise ValidationError({field: message})
    if abs(number) > MAX_POINTS:
        raise ValidationError({field: _("Enter at most %(n)s points.") % {"n": f"{MAX_POINTS:,}"}})
    return int(number)


def settings_of() -> PointsSettings:
    """The tenant's points settings (defaults, unsaved, when never set)."""
    return PointsSettings.objects.first() or PointsSettings()


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def expiry_of(earned_on: datetime.date, settings: PointsSettings) -> datetime.date | None:
    """The day points earned on ``earned_on`` expire (None: never)."""
    if not settings.expire_after:
        return None
    if settings.expire_unit == ExpiryUnit.DAYS:
        return earned_on + datetime.timedelta(days=settings.expire_after)
    return add_months(earned_on, settings.expire_after)


def points_for(rule: EarningRule, amount: Decimal | None) -> int:
    """A rule's points for one event: fixed, or ``points`` for every whole
    ``per_amount`` of the amount (rounded down: 2,999 at 10 per 1,000 is 20)."""
    if rule.per_amount is None:
        return rule.points
    if amount is None or amount <= 0:
        return 0
    units = (amount / rule.per_amount).to_integral_value(rounding=ROUND_FLOOR)
    return min(int(units) * rule.points, MAX_POINTS)


def balance_lock(*, membership_id: int, partner_id: int) -> PointsBalance:
    """The person's balance row with the partner, created if missing, locked."""
    table = PointsBalance._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (tenant_id, membership_id, partner_id, balance, held, updated_at)
            VALUES (%s, %s, %s, 0, 0, now())
            ON CONFLICT (tenant_id, membership_id, partner_id) DO NOTHING
            """,
            [require_tenant_id(), membership_id, partner_id],
        )
    return PointsBalance.objects.select_for_update().get(
        membership_id=membership_id, partner_id=partner_id
    )


def entry_write(
    balance: PointsBalance, *, kind: str, points: int, held: int = 0, **fields
) -> PointsEntry:
    """One entry of ``points`` for the balance's person, and the balance moved
    by as much (``held`` moves the held points).  The balance must be locked."""
    entry = PointsEntry.objects.create(
        membership_id=balance.membership_id,
        partner_id=balance.partner_id,
        kind=kind,
        points=points,
        happened_on=fields.pop("happened_on", None) or timezone.localdate(),
        **fields,
    )
    balance.balance += points
    balance.held += held
    balance.save(update_fields=["balance", "held", "updated_at"])
    return entry


def _unique_events(events: Iterable[Event], organisation: bool) -> list[Event]:
    seen, unique = set(), []
    for event in events:
        key = event.source_id if organisation else (event.source_id, event.membership_id)
        if key not in seen:
            seen.add(key)
            unique.append(event)
    return unique


def events_award(events: list[Event]) -> int:
    """Earned entries for events of one kind under its active rule, and the
    balances raised by them, in one statement.  Returns the entries written."""
    if not events:
        return 0
    kind = event_kind(events[0].key)
    rule = EarningRule.objects.filter(event=kind.key, is_active=True).first()
    if rule is None:
        return 0
    today = timezone.localdate()
    expires_on = expiry_of(today, settings_of())
    # Only a partner's active people earn with it (a registration entered by
    # vendor staff earns nobody anything).
    people = set(
        PartnerMembership.objects.filter(
            membership_id__in={e.membership_id for e in events},
            partner_id__in={e.partner_id for e in events},
            membership__is_active=True,
            membership__role__in=sorted(PARTNER_ROLES),
        ).values_list("membership_id", "partner_id")
    )
    rows = [
        (event, points_for(rule, event.amount))
        for event in _unique_events(events, kind.organisation)
        if (event.membership_id, event.partner_id) in people
    ]
    rows = [(event, points) for event, points in rows if points > 0]
    if not rows:
        return 0
    tenant_id = require_tenant_id()
    entries, balances = PointsEntry._meta.db_table, PointsBalance._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH event AS (
                SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::date[],
                                     %s::integer[])
                    AS e(membership_id, partner_id, source_id, happened_on, points)
            ),
            earned AS (
                INSERT INTO {entries} (tenant_id, membership_id, partner_id, kind, points, event,
                                       source_id, rule_id, expires_on, happened_on, reason,
                                       created_at)
                SELECT %s, e.membership_id, e.partner_id, 'earned', e.points, %s, e.source_id,
                       %s, %s::date, e.happened_on, '', now()
                FROM event e
                WHERE NOT (%s AND EXISTS (
                    SELECT 1 FROM {entries} done
                    WHERE done.tenant_id = %s AND done.kind = 'earned' AND done.event = %s
                      AND done.source_id = e.source_id))
                ON CONFLICT DO NOTHING
                RETURNING membership_id, partner_id, points
            ),
            raised AS (
                INSERT INTO {balances} (tenant_id, membership_id, partner_id, balance, held,
                                        updated_at)
                SELECT %s, membership_id, partner_id, SUM(points), 0, now()
                FROM earned GROUP BY membership_id, partner_id
                ORDER BY membership_id, partner_id
                ON CONFLICT (tenant_id, membership_id, partner_id)
                DO UPDATE SET balance = {balances}.balance + EXCLUDED.balance,
                              updated_at = EXCLUDED.updated_at
                RETURNING 1
            )
            SELECT (SELECT COUNT(*) FROM earned), (SELECT COUNT(*) FROM raised)
            """,
            [
                [event.membership_id for event, _points in rows],
                [event.partner_id for event, _points in rows],
                [event.source_id for event, _points in rows],
                [event.happened_on for event, _points in rows],
                [points for _event, points in rows],
                tenant_id,
                kind.key,
                rule.pk,
                expires_on,
                kind.organisation,
                tenant_id,
                kind.key,
                tenant_id,
            ],
        )
        return cursor.fetchone()[0]


def balances_lock_many(people: list[tuple[int, int]]) -> None:
    """Lock the balance rows of ``(membership, partner)`` pairs, in id order."""
    if not people:
        return
    table = PointsBalance._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT id FROM {table}
            WHERE tenant_id = %s AND (membership_id, partner_id) IN (
                SELECT * FROM unnest(%s::bigint[], %s::bigint[]))
            ORDER BY id FOR UPDATE
            """,
            [require_tenant_id(), [m for m, _p in people], [p for _m, p in people]],
        )


def balances_move_many(moves: dict[tuple[int, int], int]) -> None:
    """Move locked balances by ``{(membership, partner): points}`` in one statement."""
    if not moves:
        return
    table = PointsBalance._meta.db_table
    people = sorted(moves)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} b SET balance = b.balance + d.points, updated_at = now()
            FROM unnest(%s::bigint[], %s::bigint[], %s::integer[])
                AS d(membership_id, partner_id, points)
            WHERE b.tenant_id = %s AND b.membership_id = d.membership_id
              AND b.partner_id = d.partner_id
            """,
            [
                [m for m, _p in people],
                [p for _m, p in people],
                [moves[pair] for pair in people],
                require_tenant_id(),
            ],
        )


@dataclass(frozen=True)
class Lot:
    entry_id: int
    membership_id: int
    partner_id: int
    expires_on: datetime.date
    left: int


def lots_left(
    *,
    expiring_by: datetime.date,
    expiring_after: datetime.date | None = None,
    people: list[tuple[int, int]] | None = None,
) -> list[Lot]:
    """Lots with points left that expire on or before ``expiring_by`` (and
    after ``expiring_after``), first in first out, for every person (or the
    ``(membership, partner)`` pairs given), in one query."""
    entries = PointsEntry._meta.db_table
    tenant_id = require_tenant_id()
    people_filter, params = "", [tenant_id, tenant_id]
    if people is not None:
        if not people:
            return []
        people_filter = (
            "AND (membership_id, partner_id) IN (SELECT * FROM unnest(%s::bigint[], %s::bigint[]))"
        )
    lot = "(kind = 'earned' OR (kind = 'adjusted' AND points > 0))"
    sql = f"""
        WITH lot AS (
            SELECT id, membership_id, partner_id, points, expires_on,
                   SUM(points) OVER (PARTITION BY membership_id, partner_id
                                     ORDER BY expires_on NULLS LAST, id) AS through
            FROM {entries}
            WHERE tenant_id = %s AND {lot} {people_filter}
        ),
        spent AS (
            SELECT membership_id, partner_id, -SUM(points) AS spent
            FROM {entries}
            WHERE tenant_id = %s AND NOT {lot} {people_filter}
            GROUP BY membership_id, partner_id
        )
        SELECT lot.id, lot.membership_id, lot.partner_id, lot.expires_on,
               LEAST(lot.points, GREATEST(0, lot.through - COALESCE(spent.spent, 0))) AS left_over
        FROM lot LEFT JOIN spent USING (membership_id, partner_id)
        WHERE lot.expires_on <= %s {"AND lot.expires_on > %s" if expiring_after else ""}
          AND lot.through - COALESCE(spent.spent, 0) > 0
        ORDER BY lot.membership_id, lot.partner_id, lot.expires_on, lot.id
    """
    if people is not None:
        pairs = [[m for m, _p in people], [p for _m, p in people]]
        params = [tenant_id, *pairs, tenant_id, *pairs]
    params.append(expiring_by)
    if expiring_after:
        params.append(expiring_after)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Lot(*row) for row in cursor.fetchall() if row[4] > 0]
