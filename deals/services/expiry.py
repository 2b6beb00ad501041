"""Ending protection windows: reminders before, expiry after.

Both jobs are single set-based statements over the current tenant, so they
handle a hundred thousand due registrations in one run, and both are
idempotent: an expired registration is no longer ``approved``, and a reminder
is recorded as the ``protected_until`` it was sent for, so a second run finds
nothing to do while an extension (a new ``protected_until``) earns a new one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils.translation import gettext as _

from prm.actions import system_action
from prm.audit import audit_record
from prm.models import Membership
from prm.roles import Role
from prm.tenancy import require_tenant_id

from ..models import RegistrationStatus as S
from ..notifications import notify_protection_expiring
from ..selectors.rules import deal_settings

# Expire and record the history in one statement (data-modifying CTEs share
# one snapshot, so a registration approved or extended meanwhile is untouched),
# returning exactly the ids this UPDATE changed.  Row-level security applies as
# well as the explicit tenant filter.
_EXPIRE_SQL = """
WITH expired AS (
    UPDATE deals_dealregistration
       SET status = %(expired)s, updated_at = now()
     WHERE tenant_id = %(tenant)s
       AND status = %(approved)s
       AND protected_until < %(today)s
 RETURNING id
), history AS (
    INSERT INTO deals_dealtransition
           (tenant_id, registration_id, from_status, to_status, by_id, reason, created_at)
    SELECT %(tenant)s, id, %(approved)s, %(expired)s, NULL, %(reason)s, now() FROM expired
)
SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM expired
"""

# The released ids arrive as one constant array, which PostgreSQL probes through
# the registration index (or hashes); a join against the CTE instead would be
# planned for the one row the planner guesses a CTE holds, and turns quadratic
# at a hundred thousand.
_RELEASE_SQL = """
DELETE FROM deals_dealprotection
 WHERE tenant_id = %(tenant)s AND registration_id = ANY (%(ids)s::bigint[])
"""

_REMIND_SQL = """
UPDATE deals_dealregistration
   SET reminder_sent_for = protected_until
 WHERE tenant_id = %(tenant)s
   AND status = %(approved)s
   AND protected_until >= %(today)s
   AND protected_until <= %(until)s
   AND reminder_sent_for IS DISTINCT FROM protected_until
RETURNING id, partner_id, registered_by_id, customer_name, protected_until
"""


@system_action
def registrations_expire(*, today: date) -> int:
    """Expire the current tenant's approved registrations whose protection ended
    before ``today`` without a win, release their protection and record one
    transition each; returns how many expired.  Running it again expires nothing."""
    tenant_id = require_tenant_id()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _EXPIRE_SQL,
            {
                "tenant": tenant_id,
                "today": today,
                "approved": S.APPROVED.value,
                "expired": S.EXPIRED.value,
                "reason": _("Protection window ended"),
            },
        )
        (ids,) = cursor.fetchone()
        count = len(ids)
        if count:
            cursor.execute(_RELEASE_SQL, {"tenant": tenant_id, "ids": ids})
            audit_record(
                actor=None, action="registrations.expired", count=count, on=today.isoformat()
            )
    return count


@dataclass(frozen=True)
class _Due:
    registration_id: int
    partner_id: int
    registered_by_id: int
    customer_name: str
    protected_until: date


@system_action
def registrations_remind(*, today: date) -> int:
    """Mark approved registrations whose protection ends within the tenant's
    reminder period (``reminder_days``; 0 turns reminders off) and e-mail each
    registering person once, after commit, listing their registrations.  When
    that person no longer has an active membership, the partner's active admins
    are told instead.  Returns how many registrations were reminded."""
    tenant_id = require_tenant_id()
    days = deal_settings().reminder_days
    if days == 0:
        return 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                _REMIND_SQL,
                {
                    "tenant": tenant_id,
                    "approved": S.APPROVED.value,
                    "today": today,
                    "until": today + timedelta(days=days),
                },
            )
            due = [_Due(*row) for row in cursor.fetchall()]
        if due:
            _queue_reminders(due, today)
            audit_record(
                actor=None, action="registrations.reminded", count=len(due), on=today.isoformat()
            )
    return len(due)


def _recipients(due: list[_Due]) -> dict[int, list[_Due]]:
    """Registrations grouped by the membership that should hear about them:
    the registrant, or the partner's active admins when the registrant left."""
    members = Membership.objects.filter(
        is_active=True,
        user__is_active=True,
        partner_link__partner_id__in={d.partner_id for d in due},
    ).values_list("pk", "user_id", "partner_link__partner_id", "role")
    active_member = {(user_id, partner_id): pk for pk, user_id, partner_id, _r in members}
    admins: dict[int, list[int]] = defaultdict(list)
    for pk, _u, partner_id, role in members:
        if role == Role.PARTNER_ADMIN:
            admins[partner_id].append(pk)
    grouped: dict[int, list[_Due]] = defaultdict(list)
    for item in due:
        member = active_member.get((item.registered_by_id, item.partner_id))
        for recipient in [member] if member else admins.get(item.partner_id, []):
            grouped[recipient].append(item)
    return grouped


def _queue_reminders(due: list[_Due], today: date) -> None:
    for recipient, items in sorted(_recipients(due).items()):
        items = sorted(items, key=lambda d: (d.protected_until, d.customer_name))
        notify_protection_expiring(
            recipient,
            [(d.registration_id, d.customer_name, d.protected_until.isoformat()) for d in items],
            today,
        )
