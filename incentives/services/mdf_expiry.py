"""MDF deadlines: funds not requested by the end of their period, and
approved requests not claimed within their window, expire; partners are
notified once before each deadline (``incentives.notifications``).

Each job is a set-based statement over the current tenant and idempotent:
what expired has no available (or committed) balance left to expire, and a
reminder is recorded on its row (``reminded_at``) in the statement that
picks it, so a second run finds nothing to do.  Rows are locked in the order
the services lock them (request, then fund)."""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.utils.translation import gettext as _

from prm.actions import system_action
from prm.audit import audit_record
from prm.tenancy import require_tenant_id

from ..notifications import notify_mdf_claims_due, notify_mdf_funds_expiring

_EXPIRE_FUNDS = """
WITH due AS (
    SELECT id, partner_id, available FROM incentives_mdffund
    WHERE tenant_id = %(tenant)s AND period_end < %(today)s AND available > 0
    FOR UPDATE
), moved AS (
    UPDATE incentives_mdffund f
       SET available = 0, expired = f.expired + due.available, updated_at = now()
      FROM due WHERE f.id = due.id
    RETURNING f.id, f.partner_id, due.available AS amount
)
INSERT INTO incentives_mdfentry
    (tenant_id, fund_id, partner_id, kind, amount, d_allocated, d_available, d_committed,
     d_claimed, d_paid, d_expired, note, created_at)
SELECT %(tenant)s, id, partner_id, 'expire_funds', amount, 0, -amount, 0, 0, 0, amount,
       %(note)s, now()
FROM moved
"""

_EXPIRE_REQUESTS = """
WITH due AS (
    SELECT q.id, q.fund_id, q.partner_id, q.approved_amount AS amount
    FROM incentives_mdfrequest q
    WHERE q.tenant_id = %(tenant)s AND q.status = 'approved' AND q.claim_deadline < %(today)s
      AND NOT EXISTS (SELECT 1 FROM incentives_mdfclaim c
                      WHERE c.request_id = q.id AND c.status = 'submitted')
    FOR UPDATE OF q
), closed AS (
    UPDATE incentives_mdfrequest q SET status = 'expired', updated_at = now()
      FROM due WHERE q.id = due.id
    RETURNING q.id
), per_fund AS (
    SELECT fund_id, SUM(amount) AS amount FROM due GROUP BY fund_id
), funds AS (
    UPDATE incentives_mdffund f
       SET committed = f.committed - per_fund.amount,
           expired = f.expired + per_fund.amount, updated_at = now()
      FROM per_fund WHERE f.id = per_fund.fund_id
    RETURNING f.id
)
INSERT INTO incentives_mdfentry
    (tenant_id, fund_id, partner_id, kind, amount, d_allocated, d_available, d_committed,
     d_claimed, d_paid, d_expired, request_id, note, created_at)
SELECT %(tenant)s, fund_id, partner_id, 'expire_request', amount, 0, 0, -amount, 0, 0, amount,
       id, %(note)s, now()
FROM due
"""

_REMIND_FUNDS = """
UPDATE incentives_mdffund f SET reminded_at = now()
  FROM incentives_program p
 WHERE f.tenant_id = %(tenant)s AND p.id = f.program_id AND f.reminded_at IS NULL
   AND f.available > 0 AND f.period_end >= %(today)s
   AND f.period_end <= %(today)s + p.reminder_days
RETURNING f.id, f.partner_id, p.name, f.period_end, f.available, f.currency
"""

_REMIND_REQUESTS = """
UPDATE incentives_mdfrequest q SET reminded_at = now()
  FROM incentives_program p
 WHERE q.tenant_id = %(tenant)s AND p.id = q.program_id AND q.reminded_at IS NULL
   AND q.status = 'approved' AND q.claim_deadline >= %(today)s
   AND q.claim_deadline <= %(today)s + p.reminder_days
   AND NOT EXISTS (SELECT 1 FROM incentives_mdfclaim c
                   WHERE c.request_id = q.id AND c.status = 'submitted')
RETURNING q.id, q.partner_id, q.requested_by_id, q.title, q.claim_deadline,
          q.approved_amount, p.currency
"""


@system_action
def mdf_expire(*, today: date) -> dict[str, int]:
    """Expire what is available in funds whose period ended before ``today``,
    and what approved requests committed when their claim window closed
    before ``today`` with no claim waiting; returns how many of each."""
    params = {"tenant": require_tenant_id(), "today": today}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_EXPIRE_REQUESTS, {**params, "note": _("Claim window closed")})
        requests = cursor.rowcount
        cursor.execute(_EXPIRE_FUNDS, {**params, "note": _("Period ended")})
        funds = cursor.rowcount
        if funds or requests:
            audit_record(
                actor=None,
                action="mdf.expired",
                funds=funds,
                requests=requests,
                on=today.isoformat(),
            )
    return {"funds": funds, "requests": requests}


@system_action
def mdf_remind(*, today: date) -> int:
    """Notify the partner's people once per deadline coming within the
    program's reminder days: its admins of funds still available before
    their period ends, the requester and the admins of approved requests not
    yet claimed before their window closes.  Returns how many notifications
    were written."""
    params = {"tenant": require_tenant_id(), "today": today}
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_REMIND_FUNDS, params)
            funds = cursor.fetchall()
            cursor.execute(_REMIND_REQUESTS, params)
            requests = cursor.fetchall()
        if not funds and not requests:
            return 0
        written = 0
        if funds:
            written += len(notify_mdf_funds_expiring(funds))
        if requests:
            written += len(notify_mdf_claims_due(requests))
        audit_record(
            actor=None,
            action="mdf.reminded",
            funds=len(funds),
            requests=len(requests),
            on=today.isoformat(),
        )
    return written
