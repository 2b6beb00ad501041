"""Read queries over tiers, proposals and tier history, narrowed to what a membership may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from prm.models import Membership

from .. import metrics
from ..models import Partner, Tier, TierChange, TierEvaluation, TierPolicy, TierRequirement
from .organisations import partners_visible_to
from .people import partner_id_of

HUNDRED = Decimal(100)


def tier_policy(*, membership: Membership) -> TierPolicy | None:
    """The tenant's tier policy (None until a vendor admin saves one)."""
    return TierPolicy.objects.first()


def _requirements() -> Prefetch:
    return Prefetch("requirements", queryset=TierRequirement.objects.order_by("metric"))


def _label_requirements(tiers: list[Tier]) -> list[Tier]:
    """Attach each requirement's metric label (one registry read for all)."""
    available = metrics.available()
    for tier in tiers:
        for requirement in tier.requirements.all():
            metric = available.get(requirement.metric)
            requirement.metric_label = str(metric.label) if metric else requirement.metric
            requirement.metric_known = metric is not None
    return tiers


def tiers_overview(*, membership: Membership) -> list[Tier]:
    """Every tier, lowest first, with its labelled requirements and how many partners hold it."""
    tiers = list(
        Tier.objects.prefetch_related(_requirements())
        .annotate(holders=Count("partners"))
        .order_by("rank")
    )
    return _label_requirements(tiers)


def tier_get(*, membership: Membership, tier_id: int) -> Tier:
    tier = Tier.objects.prefetch_related(_requirements()).filter(pk=tier_id).first()
    if tier is None:
        raise Http404
    return _label_requirements([tier])[0]


def tier_requirement_get(*, membership: Membership, requirement_id: int) -> TierRequirement:
    requirement = TierRequirement.objects.select_related("tier").filter(pk=requirement_id).first()
    if requirement is None:
        raise Http404
    return requirement


def tier_changes_visible_to(*, membership: Membership) -> QuerySet[TierChange]:
    """Vendor roles see every partner's tier changes; partner users their own organisation's."""
    changes = TierChange.objects.select_related("partner", "from_tier", "to_tier", "decided_by")
    if membership.is_partner:
        changes = changes.filter(partner_id=partner_id_of(membership))
    return changes


def tier_proposals(*, membership: Membership) -> QuerySet[TierChange]:
    """Open proposals, oldest first (the review queue)."""
    return (
        tier_changes_visible_to(membership=membership)
        .filter(status=TierChange.Status.PROPOSED)
        .order_by("created_at", "pk")
    )


def tier_change_get(*, membership: Membership, change_id: int) -> TierChange:
    """The same 404 for a change that does not exist and one that is not yours."""
    change = tier_changes_visible_to(membership=membership).filter(pk=change_id).first()
    if change is None:
        raise Http404
    return change


def partner_with_tier_get(*, membership: Membership, partner_id: int) -> Partner:
    """A partner with its tier; the same 404 for one that does not exist and one not yours."""
    partner = (
        partners_visible_to(membership=membership)
        .select_related("tier")
        .filter(pk=partner_id)
        .first()
    )
    if partner is None:
        raise Http404
    return partner


def partner_tier_history(
    *, membership: Membership, partner: Partner, evaluations: int = 30
) -> tuple[QuerySet[TierChange], list[TierEvaluation]]:
    """A partner's tier changes (newest first) and its most recent evaluations,
    each with ``figures``: (metric label, recorded value) pairs."""
    changes = tier_changes_visible_to(membership=membership).filter(partner=partner)
    recent = list(
        TierEvaluation.objects.filter(partner=partner)
        .select_related("current_tier", "qualified_tier")
        .order_by("-evaluated_on")[:evaluations]
    )
    labels = {key: str(metric.label) for key, metric in metrics.available().items()}
    for evaluation in recent:
        evaluation.figures = [
            (labels.get(key, key), value) for key, value in sorted(evaluation.metrics.items())
        ]
    return changes, recent


# --- the partner's view: what is needed for the next tier -----------------------------


@dataclass
class RequirementProgress:
    metric: str
    label: str
    unit: str
    value: Decimal
    minimum: Decimal
    percent: Decimal
    met: bool


@dataclass
class TierStanding:
    tier: Tier
    requirements: list[RequirementProgress] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return all(r.met for r in self.requirements)


@dataclass
class TierProgress:
    enabled: bool
    partner: Partner
    current: TierStanding | None = None
    next: TierStanding | None = None
    short_since: date | None = None
    demotion_due: date | None = None


def progress_percent(value: Decimal, minimum: Decimal) -> Decimal:
    """How far ``value`` is towards ``minimum``, in whole percent, 0–100."""
    if minimum <= 0:
        return HUNDRED
    percent = (Decimal(value) * HUNDRED / Decimal(minimum)).quantize(
        Decimal(1), rounding=ROUND_DOWN
    )
    return max(Decimal(0), min(HUNDRED, percent))


def _standing(
    tier: Tier, values: dict[str, Decimal], available: dict[str, metrics.Metric]
) -> TierStanding:
    standing = TierStanding(tier=tier)
    for requirement in tier.requirements.all():
        metric = available.get(requirement.metric)
        value = values.get(requirement.metric, Decimal(0))
        standing.requirements.append(
            RequirementProgress(
                metric=requirement.metric,
                label=str(metric.label) if metric else requirement.metric,
                unit=metric.unit if metric else "count",
                value=value,
                minimum=requirement.minimum,
                percent=progress_percent(value, requirement.minimum) if metric else Decimal(0),
                met=metric is not None and value >= requirement.minimum,
            )
        )
    return standing


def tier_progress(*, membership: Membership) -> TierProgress:
    """The partner user's own organisation: its tier, the next tier up, and live
    progress on the requirements of both (one metrics computation for the partner)."""
    if not membership.is_partner:
        raise Http404
    partner = partners_visible_to(membership=membership).select_related("tier").get()
    policy = TierPolicy.objects.first()
    if policy is None or not policy.enabled:
        return TierProgress(enabled=False, partner=partner)
    tiers = list(Tier.objects.prefetch_related(_requirements()).order_by("rank"))
    current = next((t for t in tiers if t.pk == partner.tier_id), None)
    higher = [t for t in tiers if current is None or t.rank > current.rank]
    next_tier = higher[0] if higher else None
    shown = [t for t in (current, next_tier) if t is not None]
    available = metrics.available()
    keys = {r.metric for t in shown for r in t.requirements.all() if r.metric in available}
    values = metrics.compute(keys, [partner.pk])[partner.pk]
    progress = TierProgress(
        enabled=True,
        partner=partner,
        current=_standing(current, values, available) if current else None,
        next=_standing(next_tier, values, available) if next_tier else None,
        short_since=partner.below_tier_since if current else None,
    )
    if progress.short_since is not None:
        progress.demotion_due = progress.short_since + timedelta(days=policy.demotion_grace_days)
    return progress


def tier_list() -> QuerySet[Tier]:
    """The program's tiers, highest first (e.g. for filter choices)."""
    return Tier.objects.order_by("-rank")
