"""Points expiry and its reminders, run daily per tenant by a Celery job.

What is left of a lot (an earned entry or an added adjustment) on its expiry
date expires, first in first out: redemptions, expiries and take-backs
consume the lots that expire first.  The job locks the balances it changes
and computes again under the locks, so running it twice — or while people
redeem — expires each lot's rest once.  Before that, each person is reminded
once of the points that will expire within the vendor's reminder days (a
notification per ``PointsReminder``); the reminder is recorded with the last
expiry date it covered, so a second run (or tomorrow's) tells nobody of the
same lots again."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from prm.actions import system_action

from ..models import PointsEntry, PointsEntryKind, PointsReminder
from ..notifications import notify_points_expiring
from ..points_ledger import balances_lock_many, balances_move_many, lots_left, settings_of


@system_action
def points_expire(*, today: datetime.date | None = None) -> int:
    """Expire the rest of every lot whose expiry date has come; returns the
    number of lots expired."""
    today = today or timezone.localdate()
    with transaction.atomic():
        people = sorted(
            {(lot.membership_id, lot.partner_id) for lot in lots_left(expiring_by=today)}
        )
        if not people:
            return 0
        balances_lock_many(people)
        lots = lots_left(expiring_by=today, people=people)
        PointsEntry.objects.bulk_create(
            PointsEntry(
                membership_id=lot.membership_id,
                partner_id=lot.partner_id,
                kind=PointsEntryKind.EXPIRED,
                points=-lot.left,
                lot_id=lot.entry_id,
                happened_on=today,
            )
            for lot in lots
        )
        moves: dict[tuple[int, int], int] = defaultdict(int)
        for lot in lots:
            moves[(lot.membership_id, lot.partner_id)] -= lot.left
        balances_move_many(moves)
    return len(lots)


@system_action
def points_expiry_remind(*, today: datetime.date | None = None) -> int:
    """Remind each person whose points expire within the reminder days and
    who was not reminded of those lots yet (a ``PointsReminder`` and its
    notification); returns how many reminders."""
    today = today or timezone.localdate()
    settings = settings_of()
    if not settings.reminder_days:
        return 0
    until = today + datetime.timedelta(days=settings.reminder_days)
    with transaction.atomic():
        lots = lots_left(expiring_by=until, expiring_after=today)
        if not lots:
            return 0
        covered = {
            (m, p): last
            for m, p, last in PointsReminder.objects.values("membership_id", "partner_id")
            .annotate(last=Max("covers_until"))
            .values_list("membership_id", "partner_id", "last")
        }
        due: dict[tuple[int, int], list] = defaultdict(list)
        for lot in lots:
            person = (lot.membership_id, lot.partner_id)
            if person not in covered or lot.expires_on > covered[person]:
                due[person].append(lot)
        if not due:
            return 0
        reminders = [
            PointsReminder(
                membership_id=m,
                partner_id=p,
                points=sum(lot.left for lot in person_lots),
                first_expiry=min(lot.expires_on for lot in person_lots),
                covers_until=until,
                sent_on=today,
            )
            for (m, p), person_lots in sorted(due.items())
        ]
        PointsReminder.objects.bulk_create(reminders)
        notify_points_expiring(reminders)
    return len(reminders)
