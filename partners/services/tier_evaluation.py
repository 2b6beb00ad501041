"""The periodic tier evaluation: every partner against the tier rules, written
set-based.

The decisions are made by the pure functions of ``tier_rules``; this module
loads their inputs for all partners with a fixed number of queries and
writes the evaluations, tier changes, proposals and audit events in bulk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.actions import action
from prm.actors import SystemActor, actor_user
from prm.models import AuditEvent, Membership, User
from prm.policies import can_edit_tiers

from .. import metrics
from ..models import Partner, PartnerStatus, Tier, TierChange, TierEvaluation, TierPolicy
from ..tier_rules import (
    Decision,
    EarlierToday,
    Outcome,
    ProposalStep,
    Rung,
    Standing,
    decide,
    proposal_step,
    withdraw,
)

# Partners in these statuses take part in tier evaluations.
EVALUATED_STATUSES = (PartnerStatus.ACTIVE, PartnerStatus.ONBOARDING)
Status = TierChange.Status
AUDIT_ACTIONS = {
    Status.APPLIED: "partner.tier_changed",
    Status.PROPOSED: "partner.tier_proposed",
    Status.REJECTED: "partner.tier_proposal_withdrawn",
}


@dataclass
class EvaluationSummary:
    """What one evaluation run found and did."""

    enabled: bool
    evaluated: int = 0
    promote: int = 0
    demote: int = 0
    keep: int = 0
    grace: int = 0
    applied: int = 0
    proposed: int = 0
    withdrawn: int = 0


@dataclass
class _Writes:
    """Everything one run writes, collected before the bulk statements."""

    evaluations: list[TierEvaluation] = field(default_factory=list)
    partners: list[Partner] = field(default_factory=list)
    applied: list[TierChange] = field(default_factory=list)
    new_proposals: list[TierChange] = field(default_factory=list)
    changed_proposals: list[TierChange] = field(default_factory=list)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _change_reason(decision: Decision, on: date, tiers: dict[int, Tier]) -> str:
    def name(tier_id):
        return tiers[tier_id].name if tier_id is not None else _("no tier")

    names = {
        "date": on.isoformat(),
        "current": name(decision.current_tier_id),
        "tier": name(decision.qualified_tier_id),
        "since": decision.short_since.isoformat() if decision.short_since else "",
    }
    if decision.outcome == Outcome.PROMOTE:
        return _("Evaluation of %(date)s: qualifies for %(tier)s.") % names
    return (
        _("Evaluation of %(date)s: short of %(current)s since %(since)s; qualifies for %(tier)s.")
        % names
    )


@action(can_edit_tiers, system=True)
def tiers_evaluate(*, on: date, by: Membership | SystemActor) -> EvaluationSummary:
    """Evaluate every active or onboarding partner of the current tenant on ``on``
    (the rules are ``tier_rules.decide`` and ``tier_rules.proposal_step``).

    Set-based: a fixed number of queries however many partners there are.
    Idempotent: one evaluation row per partner and day (upserted), and a
    change already made today on the same qualification stands, so running
    again leaves the same rows.  The policy and partner rows are locked, so
    concurrent runs and decisions serialise.
    """
    with transaction.atomic():
        policy = TierPolicy.objects.select_for_update().first()
        if policy is None or not policy.enabled:
            return EvaluationSummary(enabled=False)
        tiers = list(Tier.objects.prefetch_related("requirements").order_by("-rank"))
        ladder = [
            Rung(t.pk, t.rank, tuple((r.metric, r.minimum) for r in t.requirements.all()))
            for t in tiers
        ]
        partners = list(
            Partner.objects.select_for_update().filter(status__in=EVALUATED_STATUSES).order_by("pk")
        )
        in_scope = {"partner__status__in": EVALUATED_STATUSES}
        earlier = {
            e.partner_id: EarlierToday(e.outcome, e.current_tier_id, e.qualified_tier_id)
            for e in TierEvaluation.objects.filter(evaluated_on=on, **in_scope)
        }
        proposals = {
            c.partner_id: c for c in TierChange.objects.filter(status=Status.PROPOSED, **in_scope)
        }
        known = set(metrics.available())
        keys = {metric for rung in ladder for metric, _min in rung.requirements if metric in known}
        values = metrics.compute(keys, [p.pk for p in partners])

        summary = EvaluationSummary(enabled=True)
        writes = _Writes()
        context = _Run(
            on=on,
            now=timezone.now(),
            automatic=policy.mode == TierPolicy.Mode.AUTOMATIC,
            tiers={t.pk: t for t in tiers},
            summary=summary,
            writes=writes,
        )
        for partner in partners:
            decision = decide(
                ladder_high_first=ladder,
                values=values[partner.pk],
                known=known,
                standing=Standing(partner.tier_id, partner.below_tier_since),
                on=on,
                grace_days=policy.demotion_grace_days,
                earlier_today=earlier.get(partner.pk),
            )
            context.record(partner, decision, values[partner.pk], proposals.get(partner.pk))
        _write(writes, on=on, actor=actor_user(by))
    return summary


@dataclass
class _Run:
    on: date
    now: datetime
    automatic: bool
    tiers: dict[int, Tier]
    summary: EvaluationSummary
    writes: _Writes

    def record(self, partner: Partner, decision: Decision, values, proposal) -> None:
        summary, writes = self.summary, self.writes
        summary.evaluated += 1
        setattr(summary, decision.outcome, getattr(summary, decision.outcome) + 1)
        writes.evaluations.append(
            TierEvaluation(
                partner=partner,
                evaluated_on=self.on,
                current_tier_id=decision.current_tier_id,
                qualified_tier_id=decision.qualified_tier_id,
                outcome=decision.outcome,
                metrics={k: _plain(v) for k, v in sorted(values.items())},
            )
        )
        if decision.repeated:
            return
        before = (partner.tier_id, partner.tier_since, partner.below_tier_since)
        partner.below_tier_since = decision.below_tier_since
        step = proposal_step(
            decision,
            automatic=self.automatic,
            open_proposal_to=proposal.to_tier_id if proposal else None,
            open_proposal_from=proposal.from_tier_id if proposal else None,
            has_open_proposal=proposal is not None,
        )
        reason = _change_reason(decision, self.on, self.tiers) if decision.moves else ""
        if step == ProposalStep.APPLY:
            if proposal is not None:
                self._withdraw(proposal, _("Superseded by an automatic change."))
            writes.applied.append(
                TierChange(
                    partner=partner,
                    from_tier_id=decision.current_tier_id,
                    to_tier_id=decision.qualified_tier_id,
                    status=Status.APPLIED,
                    reason=reason,
                    decided_at=self.now,
                )
            )
            partner.tier_id, partner.tier_since = decision.qualified_tier_id, self.on
            partner.below_tier_since = None
            summary.applied += 1
        elif step == ProposalStep.PROPOSE:
            writes.new_proposals.append(
                TierChange(
                    partner=partner,
                    from_tier_id=decision.current_tier_id,
                    to_tier_id=decision.qualified_tier_id,
                    status=Status.PROPOSED,
                    reason=reason,
                )
            )
            summary.proposed += 1
        elif step == ProposalStep.RETARGET:
            proposal.from_tier_id = decision.current_tier_id
            proposal.to_tier_id = decision.qualified_tier_id
            proposal.reason = reason
            writes.changed_proposals.append(proposal)
            summary.proposed += 1
        elif step == ProposalStep.WITHDRAW:
            note = _("Withdrawn: no longer warranted by the evaluation of %(date)s.") % {
                "date": self.on.isoformat()
            }
            self._withdraw(proposal, note)
        if (partner.tier_id, partner.tier_since, partner.below_tier_since) != before:
            writes.partners.append(partner)

    def _withdraw(self, proposal: TierChange, note: str) -> None:
        withdraw(proposal, now=self.now, note=note)
        self.writes.changed_proposals.append(proposal)
        self.summary.withdrawn += 1


def _write(writes: _Writes, *, on: date, actor: User | None) -> None:
    """The bulk statements of one run (inside its transaction)."""
    TierEvaluation.objects.bulk_create(
        writes.evaluations,
        update_conflicts=True,
        unique_fields=["tenant", "partner", "evaluated_on"],
        update_fields=["current_tier", "qualified_tier", "outcome", "metrics"],
    )
    Partner.objects.bulk_update(writes.partners, ["tier", "tier_since", "below_tier_since"])
    # Withdraw and retarget before creating, so the one-open-proposal rule holds.
    TierChange.objects.bulk_update(
        writes.changed_proposals, ["from_tier", "to_tier", "status", "reason", "decided_at"]
    )
    TierChange.objects.bulk_create([*writes.applied, *writes.new_proposals])
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            action=AUDIT_ACTIONS[change.status],
            target_type=Partner._meta.label_lower,
            target_id=change.partner_id,
            data={
                "change_id": change.pk,
                "from_tier_id": change.from_tier_id,
                "to_tier_id": change.to_tier_id,
                "evaluated_on": on.isoformat(),
            },
        )
        for change in [*writes.applied, *writes.new_proposals, *writes.changed_proposals]
    )
