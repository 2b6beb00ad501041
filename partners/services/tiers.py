"""Partner tiers: the program's policy, its tiers and their requirements, the
periodic evaluation that proposes or applies promotions and demotions, and the
decisions on proposals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.audit import audit_record
from prm.models import AuditEvent, User

from .. import metrics
from ..models import (
    Partner,
    PartnerStatus,
    Tier,
    TierChange,
    TierEvaluation,
    TierPolicy,
    TierRequirement,
)

# Partners in these statuses take part in tier evaluations.
EVALUATED_STATUSES = (PartnerStatus.ACTIVE, PartnerStatus.ONBOARDING)
TIER_FIELDS = frozenset(
    {
        "name",
        "rank",
        "discount_pct",
        "rebate_multiplier",
        "mdf_allocation_pct",
        "protection_days",
        "content_access",
    }
)

Outcome = TierEvaluation.Outcome
Status = TierChange.Status


# --- policy ------------------------------------------------------------------------


def tier_policy_save(
    *, by: User | None, enabled: bool, mode: str, demotion_grace_days: int
) -> TierPolicy:
    """Create or change the tenant's single tier policy."""
    errors = {}
    if mode not in TierPolicy.Mode.values:
        errors["mode"] = _("Choose how tier changes are made.")
    if demotion_grace_days is None or demotion_grace_days < 0:
        errors["demotion_grace_days"] = _("The grace period cannot be negative.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        policy, created = TierPolicy.objects.select_for_update().get_or_create(
            defaults={"enabled": enabled, "mode": mode, "demotion_grace_days": demotion_grace_days}
        )
        if not created:
            policy.enabled, policy.mode = enabled, mode
            policy.demotion_grace_days = demotion_grace_days
            policy.save(update_fields=["enabled", "mode", "demotion_grace_days"])
        audit_record(
            actor=by,
            action="tier_policy.saved",
            target=policy,
            enabled=enabled,
            mode=mode,
            demotion_grace_days=demotion_grace_days,
        )
    return policy


# --- tiers and requirements -----------------------------------------------------------


def _check_tier_unique(tier: Tier) -> None:
    others = Tier.objects.exclude(pk=tier.pk) if tier.pk else Tier.objects.all()
    errors = {}
    if others.filter(rank=tier.rank).exists():
        errors["rank"] = _("Another tier already has this rank.")
    if others.filter(name__iexact=tier.name).exists():
        errors["name"] = _("Another tier already has this name.")
    if errors:
        raise ValidationError(errors)


def _tier_save(tier: Tier, *, by: User | None, action: str, fields: list[str]) -> Tier:
    tier.name = (tier.name or "").strip()
    tier.full_clean(exclude=["tenant"])
    _check_tier_unique(tier)
    try:
        with transaction.atomic():
            tier.save()
            audit_record(actor=by, action=action, target=tier, fields=sorted(fields))
    except IntegrityError as error:
        # A concurrent request took the name or rank between check and save.
        raise ValidationError(_("Another tier already has this name or rank.")) from error
    return tier


def tier_create(*, by: User | None, **fields: Any) -> Tier:
    """Add a tier; names and ranks are unique within the program (higher rank is better)."""
    unknown = set(fields) - TIER_FIELDS
    if unknown:
        raise ValueError(f"Not tier fields: {sorted(unknown)}")
    return _tier_save(Tier(**fields), by=by, action="tier.created", fields=list(fields))


def tier_update(*, tier: Tier, by: User | None, **fields: Any) -> Tier:
    unknown = set(fields) - TIER_FIELDS
    if unknown:
        raise ValueError(f"Not tier fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(tier, name, value)
    return _tier_save(tier, by=by, action="tier.updated", fields=list(fields))


def tier_delete(*, tier: Tier, by: User | None) -> None:
    """Remove a tier nobody holds. Open proposals towards it are withdrawn."""
    if Partner.objects.filter(tier=tier).exists():
        raise ValidationError(_("Partners hold this tier; move them to another tier first."))
    with transaction.atomic():
        now = timezone.now()
        withdrawn = list(TierChange.objects.filter(to_tier=tier, status=Status.PROPOSED))
        for change in withdrawn:
            _withdraw(change, now=now, note=_("Withdrawn: the tier was deleted."), by=by)
        TierChange.objects.bulk_update(withdrawn, ["status", "reason", "decided_at", "decided_by"])
        audit_record(actor=by, action="tier.deleted", target=tier, name=tier.name, rank=tier.rank)
        try:
            tier.delete()
        except ProtectedError as error:
            raise ValidationError(
                _("Partners hold this tier; move them to another tier first.")
            ) from error


def tier_requirement_add(
    *, tier: Tier, metric: str, minimum: Decimal, by: User | None
) -> TierRequirement:
    """The tier needs ``metric`` (a registered metric or custom KPI) to be at
    least ``minimum`` (never negative); one requirement per metric and tier."""
    errors = {}
    if metric not in metrics.available():
        errors["metric"] = _("Unknown metric.")
    if minimum is None or Decimal(minimum) < 0:
        errors["minimum"] = _("The minimum cannot be negative.")
    if errors:
        raise ValidationError(errors)
    if TierRequirement.objects.filter(tier=tier, metric=metric).exists():
        raise ValidationError({"metric": _("This tier already has a requirement on this metric.")})
    requirement = TierRequirement(tier=tier, metric=metric, minimum=Decimal(minimum))
    requirement.full_clean(exclude=["tenant", "tier"])
    try:
        with transaction.atomic():
            requirement.save()
            audit_record(
                actor=by,
                action="tier.requirement_added",
                target=tier,
                metric=metric,
                minimum=str(requirement.minimum),
            )
    except IntegrityError as error:
        raise ValidationError(
            {"metric": _("This tier already has a requirement on this metric.")}
        ) from error
    return requirement


def tier_requirement_remove(*, requirement: TierRequirement, by: User | None) -> None:
    with transaction.atomic():
        audit_record(
            actor=by,
            action="tier.requirement_removed",
            target=requirement.tier,
            metric=requirement.metric,
            minimum=str(requirement.minimum),
        )
        requirement.delete()


# --- evaluation ---------------------------------------------------------------------


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


def _rank(tier: Tier | None) -> int:
    return -1 if tier is None else tier.rank


def _qualified_tier(
    tiers_high_first: list[Tier], values: dict[str, Decimal], known: set[str]
) -> Tier | None:
    """The highest tier whose every requirement is met (a requirement on a
    metric that no longer exists cannot be met; a tier without requirements is)."""
    for tier in tiers_high_first:
        if all(
            r.metric in known and values.get(r.metric, Decimal(0)) >= r.minimum
            for r in tier.requirements.all()
        ):
            return tier
    return None


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _append(text: str, note: str) -> str:
    return f"{text}\n{note}" if text else note


def _withdraw(change: TierChange, *, now, note: str, by: User | None = None) -> None:
    change.status = Status.REJECTED
    change.decided_at = now
    change.decided_by = by
    change.reason = _append(change.reason, note)


def _change_reason(outcome: str, on: date, current: Tier | None, target: Tier | None, since):
    names = {
        "date": on.isoformat(),
        "current": current.name if current else _("no tier"),
        "tier": target.name if target else _("no tier"),
        "since": since.isoformat() if since else "",
    }
    if outcome == Outcome.PROMOTE:
        return _("Evaluation of %(date)s: qualifies for %(tier)s.") % names
    return (
        _("Evaluation of %(date)s: short of %(current)s since %(since)s; qualifies for %(tier)s.")
        % names
    )


def tiers_evaluate(*, on: date, by: User | None = None) -> EvaluationSummary:
    """Evaluate every active or onboarding partner of the current tenant on ``on``.

    The qualified tier is the highest tier whose requirements are all met.
    Above the current tier (or no tier yet) is a promotion; below it starts
    (or continues) the grace period in ``below_tier_since`` and becomes a
    demotion once ``demotion_grace_days`` have passed; qualifying again
    clears it.  Automatic mode applies changes at once; reviewed mode keeps
    one open proposal per partner (created, retargeted or withdrawn).

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
        summary = EvaluationSummary(enabled=True)
        tiers = list(Tier.objects.prefetch_related("requirements").order_by("-rank"))
        tiers_by_id = {t.pk: t for t in tiers}
        partners = list(
            Partner.objects.select_for_update().filter(status__in=EVALUATED_STATUSES).order_by("pk")
        )
        in_scope = {"partner__status__in": EVALUATED_STATUSES}
        earlier_today = {
            e.partner_id: e for e in TierEvaluation.objects.filter(evaluated_on=on, **in_scope)
        }
        open_proposals = {
            c.partner_id: c for c in TierChange.objects.filter(status=Status.PROPOSED, **in_scope)
        }
        known = set(metrics.available())
        keys = {r.metric for t in tiers for r in t.requirements.all() if r.metric in known}
        values = metrics.compute(keys, [p.pk for p in partners])
        now = timezone.now()
        automatic = policy.mode == TierPolicy.Mode.AUTOMATIC

        evaluations: list[TierEvaluation] = []
        partners_changed: list[Partner] = []
        applied: list[TierChange] = []
        new_proposals: list[TierChange] = []
        updated_proposals: list[TierChange] = []
        events: list[AuditEvent] = []

        for partner in partners:
            summary.evaluated += 1
            partner_values = values[partner.pk]
            qualified = _qualified_tier(tiers, partner_values, known)
            current = tiers_by_id.get(partner.tier_id)
            recorded = {k: _plain(v) for k, v in sorted(partner_values.items())}
            earlier = earlier_today.get(partner.pk)
            target_id = qualified.pk if qualified else None
            if (
                earlier is not None
                and earlier.outcome in (Outcome.PROMOTE, Outcome.DEMOTE)
                and earlier.qualified_tier_id == target_id == partner.tier_id
                and earlier.current_tier_id != target_id
            ):
                # Today's change was already made on this same qualification.
                setattr(summary, earlier.outcome, getattr(summary, earlier.outcome) + 1)
                evaluations.append(
                    TierEvaluation(
                        partner=partner,
                        evaluated_on=on,
                        current_tier_id=earlier.current_tier_id,
                        qualified_tier=qualified,
                        outcome=earlier.outcome,
                        metrics=recorded,
                    )
                )
                continue

            before = (partner.tier_id, partner.tier_since, partner.below_tier_since)
            since = None
            if _rank(qualified) > _rank(current):
                outcome = Outcome.PROMOTE
                partner.below_tier_since = None
            elif _rank(qualified) == _rank(current):
                outcome = Outcome.KEEP
                partner.below_tier_since = None
            else:
                since = partner.below_tier_since or on
                partner.below_tier_since = since
                grace_over = (on - since).days >= policy.demotion_grace_days
                outcome = Outcome.DEMOTE if grace_over else Outcome.GRACE
            setattr(summary, outcome, getattr(summary, outcome) + 1)
            evaluations.append(
                TierEvaluation(
                    partner=partner,
                    evaluated_on=on,
                    current_tier=current,
                    qualified_tier=qualified,
                    outcome=outcome,
                    metrics=recorded,
                )
            )

            proposal = open_proposals.get(partner.pk)
            moves = outcome in (Outcome.PROMOTE, Outcome.DEMOTE)
            if moves:
                reason = _change_reason(outcome, on, current, qualified, since)
            if moves and automatic:
                if proposal is not None:
                    _withdraw(proposal, now=now, note=_("Superseded by an automatic change."))
                    updated_proposals.append(proposal)
                    summary.withdrawn += 1
                applied.append(
                    TierChange(
                        partner=partner,
                        from_tier=current,
                        to_tier=qualified,
                        status=Status.APPLIED,
                        reason=reason,
                        decided_at=now,
                    )
                )
                partner.tier, partner.tier_since, partner.below_tier_since = qualified, on, None
                summary.applied += 1
            elif moves:
                if proposal is None:
                    new_proposals.append(
                        TierChange(
                            partner=partner,
                            from_tier=current,
                            to_tier=qualified,
                            status=Status.PROPOSED,
                            reason=reason,
                        )
                    )
                    summary.proposed += 1
                elif proposal.to_tier_id != target_id or proposal.from_tier_id != partner.tier_id:
                    proposal.from_tier, proposal.to_tier, proposal.reason = (
                        current,
                        qualified,
                        reason,
                    )
                    updated_proposals.append(proposal)
                    summary.proposed += 1
            elif proposal is not None:
                note = _("Withdrawn: no longer warranted by the evaluation of %(date)s.") % {
                    "date": on.isoformat()
                }
                _withdraw(proposal, now=now, note=note)
                updated_proposals.append(proposal)
                summary.withdrawn += 1
            if (partner.tier_id, partner.tier_since, partner.below_tier_since) != before:
                partners_changed.append(partner)

        TierEvaluation.objects.bulk_create(
            evaluations,
            update_conflicts=True,
            unique_fields=["tenant", "partner", "evaluated_on"],
            update_fields=["current_tier", "qualified_tier", "outcome", "metrics"],
        )
        Partner.objects.bulk_update(partners_changed, ["tier", "tier_since", "below_tier_since"])
        # Withdraw and retarget before creating, so the one-open-proposal rule holds.
        TierChange.objects.bulk_update(
            updated_proposals, ["from_tier", "to_tier", "status", "reason", "decided_at"]
        )
        TierChange.objects.bulk_create([*applied, *new_proposals])
        actor = by if by is not None and by.pk else None
        for change in [*applied, *new_proposals, *updated_proposals]:
            action = {
                Status.APPLIED: "partner.tier_changed",
                Status.PROPOSED: "partner.tier_proposed",
                Status.REJECTED: "partner.tier_proposal_withdrawn",
            }[change.status]
            events.append(
                AuditEvent(
                    actor=actor,
                    action=action,
                    target_type=Partner._meta.label_lower,
                    target_id=change.partner_id,
                    data={
                        "change_id": change.pk,
                        "from_tier_id": change.from_tier_id,
                        "to_tier_id": change.to_tier_id,
                        "evaluated_on": on.isoformat(),
                    },
                )
            )
        AuditEvent.objects.bulk_create(events)
    return summary


# --- decisions and manual changes ------------------------------------------------------


def tier_change_decide(
    *, change: TierChange, approve: bool, by: User | None, reason: str = ""
) -> TierChange:
    """Apply or reject an open proposal, exactly once.

    The proposal moves from proposed to applied/rejected with a compare-and-swap
    UPDATE (on its status and target), so a double click or a concurrent
    decision changes nothing the second time and is refused.  Rejecting needs a
    reason; rejecting a demotion restarts the partner's grace period today.
    """
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Give a reason for rejecting the proposal.")})
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=change.partner_id)
        fresh = TierChange.objects.filter(pk=change.pk).select_related("to_tier").first()
        if fresh is None or fresh.status != Status.PROPOSED:
            raise ValidationError(_("This proposal was already decided."))
        if fresh.to_tier_id != change.to_tier_id:
            raise ValidationError(_("The proposal changed meanwhile; review it again."))
        today = timezone.localdate()
        claimed = TierChange.objects.filter(
            pk=change.pk, status=Status.PROPOSED, to_tier_id=change.to_tier_id
        ).update(
            status=Status.APPLIED if approve else Status.REJECTED,
            from_tier_id=partner.tier_id,
            reason=_append(fresh.reason, reason) if reason else fresh.reason,
            decided_at=timezone.now(),
            decided_by=by,
        )
        if claimed != 1:
            raise ValidationError(_("This proposal was already decided."))
        if approve:
            Partner.objects.filter(pk=partner.pk).update(
                tier_id=fresh.to_tier_id, tier_since=today, below_tier_since=None
            )
        elif _rank(fresh.to_tier) < _rank(partner.tier):
            Partner.objects.filter(pk=partner.pk).update(below_tier_since=today)
        audit_record(
            actor=by,
            action="partner.tier_changed" if approve else "partner.tier_proposal_rejected",
            target=partner,
            change_id=change.pk,
            from_tier_id=partner.tier_id,
            to_tier_id=fresh.to_tier_id,
            reason=reason,
        )
    change.refresh_from_db()
    return change


def partner_set_tier(
    *, partner: Partner, tier: Tier | None, by: User | None, reason: str
) -> TierChange:
    """Put a partner in a tier by hand (or in none), recorded as an applied
    change with who and why; an open proposal for the partner is withdrawn."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        if locked.tier_id == (tier.pk if tier else None):
            raise ValidationError({"tier": _("The partner is already in this tier.")})
        now = timezone.now()
        proposal = TierChange.objects.filter(partner=locked, status=Status.PROPOSED).first()
        if proposal is not None:
            _withdraw(proposal, now=now, note=_("Superseded by a manual change."), by=by)
            proposal.save(update_fields=["status", "reason", "decided_at", "decided_by"])
        change = TierChange.objects.create(
            partner=locked,
            from_tier_id=locked.tier_id,
            to_tier=tier,
            status=Status.APPLIED,
            reason=reason,
            decided_at=now,
            decided_by=by,
        )
        Partner.objects.filter(pk=locked.pk).update(
            tier=tier, tier_since=timezone.localdate(), below_tier_since=None
        )
        audit_record(
            actor=by,
            action="partner.tier_set",
            target=locked,
            change_id=change.pk,
            from_tier_id=locked.tier_id,
            to_tier_id=tier.pk if tier else None,
            reason=reason,
        )
    partner.refresh_from_db()
    return change
