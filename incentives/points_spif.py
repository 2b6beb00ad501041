"""SPIFs that pay in points: when a deal is won, the rep who registered it
earns the program's points if the deal qualifies — the program is active on
the win's date, the partner (and, when the program names products, one of
the deal's products) is eligible, and the won amount, converted to the
program's currency with the rate effective on the close date, reaches the
minimum deal size.  A deal in another currency with no such rate does not
qualify for a minimum it cannot be compared with.

Each program is its own event (``spif:<program id>``), so a deal earns each
points SPIF once, beside any earning rule on ``deal_won``."""

from __future__ import annotations

from django.db import connection

from partners.models import PartnerMembership
from prm.events import Event
from prm.roles import PARTNER_ROLES
from prm.tenancy import require_tenant_id

from .earnings import eligibility_clauses
from .models import PaysIn, PointsEntry, PointsEntryKind, Program, ProgramStatus
from .points_ledger import balance_lock, entry_write, expiry_of, settings_of

WON = "deal_won"

_QUALIFYING = """
SELECT r.id FROM deals_dealregistration r
JOIN partners_partner p ON p.id = r.partner_id
LEFT JOIN LATERAL (
    SELECT x.rate FROM incentives_exchangerate x
    WHERE x.tenant_id = r.tenant_id AND x.currency = r.currency
      AND x.to_currency = %(currency)s AND x.effective_on <= r.closed_on
    ORDER BY x.effective_on DESC LIMIT 1
) fx ON r.currency <> %(currency)s
WHERE r.tenant_id = %(tenant)s AND r.id = ANY(%(ids)s)
  AND (%(minimum)s::numeric IS NULL
       OR r.won_amount * CASE WHEN r.currency = %(currency)s THEN 1 ELSE fx.rate END
          >= %(minimum)s::numeric)
  {eligibility}{products}
"""

_PRODUCTS = """
  AND EXISTS (SELECT 1 FROM deals_dealproduct dp
              JOIN incentives_programproduct pp ON pp.product_id = dp.product_id
              WHERE dp.registration_id = r.id AND pp.program_id = %(program)s)"""


def event_of(program: Program) -> str:
    return f"spif:{program.pk}"


def _qualifying(program: Program, events: list[Event]) -> set[int]:
    clauses, params = eligibility_clauses(program, lines=False)
    products = _PRODUCTS if program.eligible_products.exists() else ""
    with connection.cursor() as cursor:
        cursor.execute(
            _QUALIFYING.format(eligibility=clauses, products=products),
            {
                **params,
                "tenant": require_tenant_id(),
                "program": program.pk,
                "currency": program.currency,
                "minimum": program.min_deal_amount,
                "ids": [event.source_id for event in events],
            },
        )
        return {row[0] for row in cursor.fetchall()}


def spif_points_award(events: list[Event]) -> int:
    """Points of every active points SPIF for these won deals; returns the
    entries written.  A deal recorded as won twice earns once."""
    if not events or events[0].key != WON:
        return 0
    programs = list(Program.objects.filter(status=ProgramStatus.ACTIVE, pays_in=PaysIn.POINTS))
    if not programs:
        return 0
    people = set(
        PartnerMembership.objects.filter(
            membership_id__in={e.membership_id for e in events},
            membership__is_active=True,
            membership__role__in=sorted(PARTNER_ROLES),
        ).values_list("membership_id", "partner_id")
    )
    events = [e for e in events if (e.membership_id, e.partner_id) in people]
    settings = settings_of()
    written = 0
    for program in programs:
        dated = [e for e in events if program.starts_on <= e.happened_on <= program.ends_on]
        if not dated:
            continue
        qualifying = _qualifying(program, dated)
        key = event_of(program)
        done = set(
            PointsEntry.objects.filter(
                kind=PointsEntryKind.EARNED, event=key, source_id__in=qualifying
            ).values_list("source_id", "membership_id")
        )
        for event in sorted(dated, key=lambda e: (e.membership_id, e.partner_id, e.source_id)):
            if event.source_id not in qualifying or (event.source_id, event.membership_id) in done:
                continue
            done.add((event.source_id, event.membership_id))
            balance = balance_lock(membership_id=event.membership_id, partner_id=event.partner_id)
            entry_write(
                balance,
                kind=PointsEntryKind.EARNED,
                points=int(program.fixed_amount),
                event=key,
                source_id=event.source_id,
                expires_on=expiry_of(event.happened_on, settings),
                happened_on=event.happened_on,
                reason=program.name[:200],
            )
            written += 1
    return written
