"""Points expiry and its reminders, run daily per tenant by a Celery job.

What is left of a lot (an earned entry or an added adjustment) on its expiry
date expires, first in first out: redemptions, expiries and take-backs
consume the lots that expire first.  The job locks the balances it changes
and computes again under the locks, so running it twice — or while people
redeem — expires each lot's rest once.  Before that, each person is reminded
once of the points that will expire within the vendor's reminder days; the
reminder is recorded with the last expiry date it covered, so a second run
(or tomorrow's) sends nothing for the same lots."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from prm.actions import system_action
from prm.enqueue import emails_after_commit
from prm.links import link
from prm.models import Membership, Tenant
from prm.tenancy import require_tenant_id

from ..models import PointsEntry, PointsEntryKind, PointsReminder
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
    """One e-mail to each person whose points expire within the reminder
    days and who was not reminded of those lots yet; returns how many."""
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
        emails = dict(
            Membership.objects.filter(
                pk__in={r.membership_id for r in reminders}, is_active=True
            ).values_list("pk", "user__email")
        )
        tenant = Tenant.objects.get(pk=require_tenant_id())
        url = link("partner_points", tenant=tenant)
        messages = []
        for reminder in reminders:
            if reminder.membership_id not in emails:
                continue
            context = {"tenant": tenant, "reminder": reminder, "url": url}
            messages.append(
                (
                    render_to_string("emails/points_expiry_subject.txt", context).strip(),
                    render_to_string("emails/points_expiry.txt", context),
                    [emails[reminder.membership_id]],
                )
            )
        emails_after_commit(messages)
    return len(reminders)
