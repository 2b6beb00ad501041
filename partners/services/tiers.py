"""Partner tiers: the program's policy, its tiers and their requirements, the
decisions on proposals and manual tier changes.  The periodic evaluation is in
``tier_evaluation``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.actions import action
from prm.audit import audit_record
from prm.models import Membership
from prm.policies import can_decide_tier_changes, can_edit_tiers

from .. import metrics
from ..models import (
    Partner,
    Tier,
    TierChange,
    TierEvaluation,
    TierPolicy,
    TierRequirement,
)
from ..tier_rules import append_note, withdraw

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


@action(can_edit_tiers)
def tier_policy_save(
    *, by: Membership, enabled: bool, mode: str, demotion_grace_days: int
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
            actor=by.user,
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


def _tier_save(tier: Tier, *, by: Membership, action: str, fields: list[str]) -> Tier:
    tier.name = (tier.name or "").strip()
    tier.full_clean(exclude=["tenant"])
    _check_tier_unique(tier)
    try:
        with transaction.atomic():
            tier.save()
            audit_record(actor=by.user, action=action, target=tier, fields=sorted(fields))
    except IntegrityError as error:
        # A concurrent request took the name or rank between check and save.
        raise ValidationError(_("Another tier already has this name or rank.")) from error
    return tier


@action(can_edit_tiers)
def tier_create(*, by: Membership, **fields: Any) -> Tier:
    """Add a tier; names and ranks are unique within the program (higher rank is better)."""
    unknown = set(fields) - TIER_FIELDS
    if unknown:
        raise ValueError(f"Not tier fields: {sorted(unknown)}")
    return _tier_save(Tier(**fields), by=by, action="tier.created", fields=list(fields))


@action(can_edit_tiers)
def tier_update(*, tier: Tier, by: Membership, **fields: Any) -> Tier:
    unknown = set(fields) - TIER_FIELDS
    if unknown:
        raise ValueError(f"Not tier fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(tier, name, value)
    return _tier_save(tier, by=by, action="tier.updated", fields=list(fields))


@action(can_edit_tiers)
def tier_delete(*, tier: Tier, by: Membership) -> None:
    """Remove a tier nobody holds. Open proposals towards it are withdrawn."""
    if Partner.objects.filter(tier=tier).exists():
        raise ValidationError(_("Partners hold this tier; move them to another tier first."))
    with transaction.atomic():
        now = timezone.now()
        withdrawn = list(TierChange.objects.filter(to_tier=tier, status=Status.PROPOSED))
        for change in withdrawn:
            withdraw(change, now=now, note=_("Withdrawn: the tier was deleted."), by=by.user)
        TierChange.objects.bulk_update(withdrawn, ["status", "reason", "decided_at", "decided_by"])
        audit_record(
            actor=by.user, action="tier.deleted", target=tier, name=tier.name, rank=tier.rank
        )
        try:
            tier.delete()
        except ProtectedError as error:
            raise ValidationError(
                _("Partners hold this tier; move them to another tier first.")
            ) from error


@action(can_edit_tiers)
def tier_requirement_add(
    *, tier: Tier, metric: str, minimum: Decimal, by: Membership
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
                actor=by.user,
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


@action(can_edit_tiers)
def tier_requirement_remove(*, requirement: TierRequirement, by: Membership) -> None:
    with transaction.atomic():
        audit_record(
            actor=by.user,
            action="tier.requirement_removed",
            target=requirement.tier,
            metric=requirement.metric,
            minimum=str(requirement.minimum),
        )
        requirement.delete()


# --- decisions and manual changes ------------------------------------------------------


def _rank(tier: Tier | None) -> int:
    return -1 if tier is None else tier.rank


@action(can_decide_tier_changes)
def tier_change_decide(
    *, change: TierChange, approve: bool, by: Membership, reason: str = ""
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
            reason=append_note(fresh.reason, reason) if reason else fresh.reason,
            decided_at=timezone.now(),
            decided_by=by.user,
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
            actor=by.user,
            action="partner.tier_changed" if approve else "partner.tier_proposal_rejected",
            target=partner,
            change_id=change.pk,
            from_tier_id=partner.tier_id,
            to_tier_id=fresh.to_tier_id,
            reason=reason,
        )
    change.refresh_from_db()
    return change


@action(can_decide_tier_changes)
def partner_set_tier(
    *, partner: Partner, tier: Tier | None, by: Membership, reason: str
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
            withdraw(proposal, now=now, note=_("Superseded by a manual change."), by=by.user)
            proposal.save(update_fields=["status", "reason", "decided_at", "decided_by"])
        change = TierChange.objects.create(
            partner=locked,
            from_tier_id=locked.tier_id,
            to_tier=tier,
            status=Status.APPLIED,
            reason=reason,
            decided_at=now,
            decided_by=by.user,
        )
        Partner.objects.filter(pk=locked.pk).update(
            tier=tier, tier_since=timezone.localdate(), below_tier_since=None
        )
        audit_record(
            actor=by.user,
            action="partner.tier_set",
            target=locked,
            change_id=change.pk,
            from_tier_id=locked.tier_id,
            to_tier_id=tier.pk if tier else None,
            reason=reason,
        )
    partner.refresh_from_db()
    return change
