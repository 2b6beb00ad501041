"""The payout calculation in SQL: every earning of a run in one statement.

For the run's program and period, each eligible won revenue line (closed from
the period's start up to the run's cut-off) is converted to the payout
currency with the rate effective on its close date, and earns by the
program's rules:

* **rebate** (to the partner): every eligible line counts towards the
  partner's volume; a product with its own rate is paid that rate; the other
  lines the rate of the bracket reached (retroactive) or their share of the
  schedule's rebate on the whole volume (marginal); the tier's rebate
  multiplier applies on top;
* **commission** (to the partner), **SPIF** (to the person who registered the
  deal) and **deal-registration bonus** (to the partner, only for deals
  approved on or before the day they closed): the most specific rate — product
  and tier, product, tier, then the program's own — as a percentage of each
  line, or as a fixed amount once per won deal; a SPIF deal must reach the
  minimum size.

A reversal (negative line) takes back the same share of what the line it
reverses earned; it does not move the brackets.

What a source has earned to date, less what approved runs of the same program
period already paid for it, is the run's item for it: an *earning* the first
time, a *true-up* after, a *clawback* for a reversal.  Balances that earlier
runs carried forward (below the minimum payout, or negative) come in as
*brought forward* items, and adjustments (a resolved dispute) no approved run
has paid yet as *adjustment* items.  An MDF program earns nothing on revenue:
its runs pay the approved claims (decided up to the cut-off) that no run holds
yet, each as an *mdf_claim* item.  Each item is rounded half-up to the cent
once; the payouts are the sums of their items.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection

from .models import Program

# The prior payments of a source in this program period.
_PRIOR = """
prior AS (
    SELECT i.revenue_line_id AS line_id, i.partner_id, i.person_id, SUM(i.amount) AS paid
    FROM incentives_payoutitem i
    JOIN incentives_payoutrun r ON r.id = i.run_id
    WHERE i.tenant_id = %(tenant)s AND i.program_id = %(program)s
      AND i.period_start = %(start)s AND r.status IN ('approved', 'paid')
      AND i.kind IN ('earning', 'true_up', 'clawback')
    GROUP BY 1, 2, 3
)"""

# Eligible revenue lines of the period, converted to the payout currency.
_ELIGIBLE = """
eligible AS (
    SELECT rl.id AS line_id, rl.registration_id, rl.partner_id, rl.product_id,
           rl.amount AS source_amount, rl.currency AS source_currency, rl.closed_on,
           rl.reverses_id, p.tier_id, COALESCE(t.rebate_multiplier, 1) AS multiplier,
           CASE WHEN rl.currency = %(currency)s THEN 1 ELSE fx.rate END AS fx,
           rl.amount * CASE WHEN rl.currency = %(currency)s THEN 1 ELSE fx.rate END AS base
    FROM deals_revenueline rl
    JOIN partners_partner p ON p.id = rl.partner_id
    LEFT JOIN partners_tier t ON t.id = p.tier_id
    LEFT JOIN LATERAL (
        SELECT x.rate FROM incentives_exchangerate x
        WHERE x.tenant_id = rl.tenant_id AND x.currency = rl.currency
          AND x.to_currency = %(currency)s AND x.effective_on <= rl.closed_on
        ORDER BY x.effective_on DESC LIMIT 1
    ) fx ON rl.currency <> %(currency)s
    WHERE rl.tenant_id = %(tenant)s AND rl.closed_on BETWEEN %(start)s AND %(upto)s
      {eligibility}
)"""

# The most specific rate of a line: product and tier, product, tier, program.
_RATED = """
rated AS (
    SELECT e.*,
           CASE WHEN r.id IS NULL THEN %(percent)s::numeric ELSE r.percent END AS pct,
           CASE WHEN r.id IS NULL THEN %(fixed)s::numeric ELSE r.fixed_amount END AS fixed,
           CASE WHEN r.id IS NULL THEN 'program'
                WHEN r.product_id IS NOT NULL AND r.tier_id IS NOT NULL THEN 'product_tier'
                WHEN r.product_id IS NOT NULL THEN 'product'
                ELSE 'tier' END AS rule
    FROM eligible e
    LEFT JOIN LATERAL (
        SELECT pr.id, pr.percent, pr.fixed_amount, pr.product_id, pr.tier_id
        FROM incentives_programrate pr
        WHERE pr.tenant_id = %(tenant)s AND pr.program_id = %(program)s
          AND (pr.product_id = e.product_id OR pr.product_id IS NULL)
          AND (pr.tier_id = e.tier_id OR pr.tier_id IS NULL)
        ORDER BY pr.product_id IS NULL, pr.tier_id IS NULL
        LIMIT 1
    ) r ON true
    WHERE e.reverses_id IS NULL {qualifies}
)"""

# Per line: a percentage of the line, or a fixed amount on the deal's first line.
_PER_DEAL = """
earned AS (
    SELECT lines.line_id, lines.registration_id, lines.partner_id, {person} AS person_id,
           lines.source_amount, lines.source_currency, lines.fx, lines.base,
           CASE WHEN lines.fixed IS NULL THEN lines.pct END AS rate,
           NULL::numeric AS multiplier,
           CASE WHEN lines.fixed IS NULL THEN lines.rule ELSE 'fixed_' || lines.rule END AS rule,
           '' AS rule_detail,
           CASE WHEN lines.fixed IS NULL THEN lines.base * COALESCE(lines.pct, 0) / 100
                WHEN lines.first_of_deal THEN lines.fixed ELSE 0 END AS exact
    FROM (
        SELECT rated.*, row_number() OVER (
                   PARTITION BY COALESCE(registration_id, -line_id), fixed IS NULL
                   ORDER BY line_id) = 1 AS first_of_deal
        FROM rated
    ) lines
    {person_join}
)"""

_REBATE = """
product_rates AS (
    SELECT product_id, percent FROM incentives_programrate
    WHERE tenant_id = %(tenant)s AND program_id = %(program)s
      AND product_id IS NOT NULL AND tier_id IS NULL AND percent IS NOT NULL
),
brackets AS (
    SELECT threshold, rate, LEAD(threshold) OVER (ORDER BY threshold) AS upper
    FROM incentives_programbracket
    WHERE tenant_id = %(tenant)s AND program_id = %(program)s
),
lines AS (
    SELECT e.*, pr.percent AS product_rate FROM eligible e
    LEFT JOIN product_rates pr ON pr.product_id = e.product_id
    WHERE e.reverses_id IS NULL
),
volumes AS (
    SELECT partner_id, SUM(base) AS volume FROM lines GROUP BY partner_id
),
schedule AS (
    SELECT v.partner_id, v.volume, reached.threshold, reached.rate,
           (SELECT COALESCE(SUM(GREATEST(0, LEAST(v.volume, COALESCE(b.upper, v.volume))
                                - b.threshold) * b.rate / 100), 0)
            FROM brackets b) AS marginal
    FROM volumes v
    LEFT JOIN LATERAL (
        SELECT b.threshold, b.rate FROM brackets b WHERE b.threshold <= v.volume
        ORDER BY b.threshold DESC LIMIT 1
    ) reached ON true
),
earned AS (
    SELECT l.line_id, l.registration_id, l.partner_id, NULL::bigint AS person_id,
           l.source_amount, l.source_currency, l.fx, l.base, l.multiplier,
           CASE WHEN l.product_rate IS NOT NULL THEN 'product'
                WHEN %(marginal)s THEN 'marginal' ELSE 'bracket' END AS rule,
           CASE WHEN l.product_rate IS NOT NULL OR %(marginal)s THEN ''
                ELSE COALESCE(s.threshold::text, '') END AS rule_detail,
           CASE WHEN l.product_rate IS NOT NULL THEN l.product_rate
                WHEN %(marginal)s THEN
                    CASE WHEN s.volume > 0 THEN s.marginal / s.volume * 100 ELSE 0 END
                ELSE COALESCE(s.rate, 0) END AS rate,
           CASE WHEN l.product_rate IS NOT NULL THEN l.base * l.product_rate / 100
                WHEN %(marginal)s THEN
                    CASE WHEN s.volume > 0 THEN s.marginal * l.base / s.volume ELSE 0 END
                ELSE l.base * COALESCE(s.rate, 0) / 100 END * l.multiplier AS exact
    FROM lines l JOIN schedule s ON s.partner_id = l.partner_id
)"""

# What the reversed lines earned, to take back the same share of it.
_REVERSALS = """
reversed_earned AS (
    SELECT line_id, partner_id, person_id, ROUND(exact, 2) AS earned FROM earned
    UNION ALL
    SELECT i.revenue_line_id, i.partner_id, i.person_id, SUM(i.amount)
    FROM incentives_payoutitem i JOIN incentives_payoutrun r ON r.id = i.run_id
    WHERE i.tenant_id = %(tenant)s AND i.program_id = %(program)s
      AND r.status IN ('approved', 'paid') AND i.period_start <> %(start)s
      AND i.kind IN ('earning', 'true_up')
    GROUP BY 1, 2, 3
),
clawed AS (
    SELECT e.line_id, e.registration_id, o.partner_id, o.person_id, e.source_amount,
           e.source_currency, e.fx, e.base, NULL::numeric AS rate, NULL::numeric AS multiplier,
           'reversal' AS rule, e.reverses_id::text AS rule_detail,
           o.earned * e.source_amount / NULLIF(orig.amount, 0) AS exact
    FROM eligible e
    JOIN deals_revenueline orig ON orig.id = e.reverses_id
    JOIN reversed_earned o ON o.line_id = e.reverses_id
    WHERE e.reverses_id IS NOT NULL
),
everything AS (
    SELECT line_id, registration_id, partner_id, person_id, source_amount, source_currency,
           fx, base, rate, multiplier, rule, rule_detail, ROUND(exact, 2) AS earned
    FROM earned
    UNION ALL
    SELECT line_id, registration_id, partner_id, person_id, source_amount, source_currency,
           fx, base, rate, multiplier, rule, rule_detail, ROUND(exact, 2) FROM clawed
)"""

_ITEMS = """
items AS (
    SELECT COALESCE(ev.line_id, pr.line_id) AS line_id,
           COALESCE(ev.registration_id, rl.registration_id) AS registration_id,
           COALESCE(ev.partner_id, pr.partner_id) AS partner_id,
           COALESCE(ev.person_id, pr.person_id) AS person_id,
           CASE WHEN rl.reverses_id IS NOT NULL THEN 'clawback'
                WHEN pr.paid IS NULL THEN 'earning' ELSE 'true_up' END AS kind,
           NULL::bigint AS previous_payout_id, NULL::bigint AS adjustment_id,
           NULL::bigint AS mdf_claim_id, ev.source_amount,
           COALESCE(ev.source_currency, '') AS source_currency, ev.fx,
           ev.base, ev.rate, ev.multiplier, COALESCE(ev.rule, 'ineligible') AS rule,
           COALESCE(ev.rule_detail, '') AS rule_detail,
           COALESCE(ev.earned, 0) AS earned_to_date, pr.paid AS paid_before,
           COALESCE(ev.earned, 0) - COALESCE(pr.paid, 0) AS amount
    FROM everything ev
    FULL JOIN prior pr ON pr.line_id = ev.line_id AND pr.partner_id = ev.partner_id
         AND pr.person_id IS NOT DISTINCT FROM ev.person_id
    LEFT JOIN deals_revenueline rl ON rl.id = COALESCE(ev.line_id, pr.line_id)
    WHERE COALESCE(ev.earned, 0) - COALESCE(pr.paid, 0) <> 0
    UNION ALL
    SELECT NULL, NULL, p.partner_id, p.person_id, 'brought_forward', p.id, NULL, NULL,
           NULL, '', NULL, NULL, NULL, NULL, p.status, '', NULL, NULL, p.carried
    FROM incentives_payout p
    WHERE p.tenant_id = %(tenant)s AND p.run_id = %(previous_run)s AND p.carried <> 0
    UNION ALL
    SELECT NULL, NULL, a.partner_id, a.person_id, 'adjustment', NULL, a.id, NULL,
           NULL, '', NULL, NULL, NULL, NULL, 'adjustment', left(a.reason, 200), NULL, NULL,
           a.amount
    FROM incentives_adjustment a
    WHERE a.tenant_id = %(tenant)s AND a.program_id = %(program)s
      AND NOT EXISTS (
          SELECT 1 FROM incentives_payoutitem done
          JOIN incentives_payoutrun r ON r.id = done.run_id
          WHERE done.adjustment_id = a.id AND r.status IN ('approved', 'paid'))
    UNION ALL
    SELECT NULL, NULL, c.partner_id, NULL, 'mdf_claim', NULL, NULL, c.id,
           c.approved_amount, %(currency)s, NULL, NULL, NULL, NULL, 'mdf_claim',
           left(q.title, 200), NULL, NULL, c.approved_amount
    FROM incentives_mdfclaim c
    JOIN incentives_mdfrequest q ON q.id = c.request_id
    WHERE %(mdf)s AND c.tenant_id = %(tenant)s AND c.program_id = %(program)s
      AND c.status = 'approved' AND c.decided_at::date <= %(upto)s
      AND NOT EXISTS (
          SELECT 1 FROM incentives_payoutitem other
          WHERE other.tenant_id = %(tenant)s AND other.kind = 'mdf_claim'
            AND other.mdf_claim_id = c.id)
),
payouts AS (
    INSERT INTO incentives_payout
        (tenant_id, run_id, partner_id, person_id, currency, total, payable, carried, status)
    SELECT %(tenant)s, %(run)s, partner_id, person_id, %(currency)s, total,
           CASE WHEN total > 0 AND total >= %(minimum)s THEN total ELSE 0 END,
           CASE WHEN total > 0 AND total >= %(minimum)s THEN 0 ELSE total END,
           CASE WHEN total < 0 THEN 'negative' WHEN total = 0 THEN 'nothing'
                WHEN total < %(minimum)s THEN 'below_minimum' ELSE 'payable' END
    FROM (SELECT partner_id, person_id, SUM(amount) AS total FROM items
          GROUP BY partner_id, person_id) t
    RETURNING id, partner_id, person_id
)
INSERT INTO incentives_payoutitem
    (tenant_id, run_id, payout_id, program_id, period_start, partner_id, person_id, kind,
     revenue_line_id, registration_id, previous_payout_id, adjustment_id, mdf_claim_id,
     source_amount, source_currency,
     exchange_rate, base, rate, multiplier, rule, rule_detail, earned_to_date, paid_before,
     amount)
SELECT %(tenant)s, %(run)s, po.id, %(program)s, %(start)s, i.partner_id, i.person_id, i.kind,
       i.line_id, i.registration_id, i.previous_payout_id, i.adjustment_id, i.mdf_claim_id,
       i.source_amount, i.source_currency,
       i.fx, i.base, i.rate, i.multiplier, i.rule, i.rule_detail, i.earned_to_date,
       i.paid_before, i.amount
FROM items i
JOIN payouts po ON po.partner_id = i.partner_id
     AND po.person_id IS NOT DISTINCT FROM i.person_id
"""

_MISSING_RATES = """
SELECT DISTINCT e.source_currency, e.closed_on FROM eligible e WHERE e.fx IS NULL
ORDER BY 1, 2
"""


@dataclass(frozen=True)
class RunScope:
    """What a calculation reads and where it writes."""

    tenant_id: int
    run_id: int
    program: Program
    start: datetime.date
    upto: datetime.date
    previous_run_id: int | None


def _eligibility(program: Program) -> tuple[str, dict]:
    if program.kind == "mdf" or program.pays_in == "points":
        # An MDF program pays approved claims, a points SPIF pays no cash.
        return "\n      AND false", {}
    return eligibility_clauses(program, lines=True)


def eligibility_clauses(program: Program, *, lines: bool) -> tuple[str, dict]:
    """The program's eligibility as SQL conditions on the partner ``p`` (and,
    with ``lines``, on the revenue line ``rl``'s product)."""
    clauses, params = [], {}
    if program.eligible_tiers.exists():
        clauses.append(
            "p.tier_id IN (SELECT tier_id FROM incentives_programtier "
            "WHERE tenant_id = %(tenant)s AND program_id = %(program)s)"
        )
    if program.eligible_types:
        clauses.append("p.partner_type = ANY(%(types)s)")
        params["types"] = list(program.eligible_types)
    if program.eligible_countries or program.eligible_regions:
        clauses.append("(p.country = ANY(%(countries)s) OR p.regions && %(regions)s::varchar[])")
        params["countries"] = list(program.eligible_countries)
        params["regions"] = list(program.eligible_regions)
    if lines and program.eligible_products.exists():
        clauses.append(
            "rl.product_id IN (SELECT product_id FROM incentives_programproduct "
            "WHERE tenant_id = %(tenant)s AND program_id = %(program)s)"
        )
    return "".join(f"\n      AND {clause}" for clause in clauses), params


def _params(scope: RunScope) -> dict:
    program = scope.program
    return {
        "tenant": scope.tenant_id,
        "program": program.pk,
        "run": scope.run_id,
        "previous_run": scope.previous_run_id,
        "start": scope.start,
        "upto": scope.upto,
        "currency": program.currency,
        "percent": program.percent,
        "fixed": program.fixed_amount,
        "minimum": program.minimum_payout,
        "marginal": program.rebate_method == "marginal",
        "min_deal": program.min_deal_amount or 0,
        "mdf": program.kind == "mdf",
    }


def _earned_sql(program: Program) -> str:
    if program.kind == "rebate":
        return _REBATE
    person, person_join, qualifies = "NULL::bigint", "", ""
    if program.kind == "spif":
        person = "m.id"
        person_join = (
            "JOIN deals_dealregistration reg ON reg.id = lines.registration_id\n"
            "    JOIN prm_membership m ON m.tenant_id = %(tenant)s "
            "AND m.user_id = reg.registered_by_id"
        )
        qualifies = (
            "AND e.registration_id IS NOT NULL AND e.registration_id IN ("
            "SELECT registration_id FROM eligible WHERE reverses_id IS NULL "
            "GROUP BY registration_id HAVING SUM(base) >= %(min_deal)s)"
        )
    elif program.kind == "registration_bonus":
        qualifies = (
            "AND e.registration_id IN (SELECT id FROM deals_dealregistration d "
            "WHERE d.tenant_id = %(tenant)s AND d.submitted_at IS NOT NULL "
            "AND d.decided_at IS NOT NULL AND d.decided_at::date <= e.closed_on)"
        )
    return (
        _RATED.format(qualifies=qualifies)
        + ","
        + _PER_DEAL.format(person=person, person_join=person_join)
    )


def calculation_sql(scope: RunScope) -> tuple[str, dict]:
    eligibility, extra = _eligibility(scope.program)
    sql = (
        "WITH"
        + _PRIOR
        + ","
        + _ELIGIBLE.format(eligibility=eligibility)
        + ","
        + _earned_sql(scope.program)
        + ","
        + _REVERSALS
        + ","
        + _ITEMS
    )
    return sql, {**_params(scope), **extra}


def missing_rates(scope: RunScope) -> list[tuple[str, datetime.date]]:
    """The (currency, close date) pairs with no exchange rate effective on the
    date; the calculation is refused while there are any."""
    eligibility, extra = _eligibility(scope.program)
    sql = "WITH" + _ELIGIBLE.format(eligibility=eligibility) + _MISSING_RATES
    with connection.cursor() as cursor:
        cursor.execute(sql, {**_params(scope), **extra})
        return [(currency, day) for currency, day in cursor.fetchall()]


def calculate(scope: RunScope) -> None:
    """Write the run's payouts and items (the run has none when this starts)."""
    sql, params = calculation_sql(scope)
    with connection.cursor() as cursor:
        # Compiling this one big statement just in time costs more than it saves.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
