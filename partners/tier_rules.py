"""The tier rules as pure functions: which tier a partner qualifies for, what
one evaluation decides for it, and what happens to its open proposal.

Nothing here reads or writes the database; ``services.tier_evaluation`` loads
the inputs for every partner at once, asks these functions, and writes the
results set-based.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from .models import TierChange, TierEvaluation

Outcome = TierEvaluation.Outcome


@dataclass(frozen=True)
class Rung:
    """A tier as the rules see it: its rank (higher is better) and its
    requirements as ``(metric, minimum)`` pairs."""

    tier_id: int
    rank: int
    requirements: tuple[tuple[str, Decimal], ...]


@dataclass(frozen=True)
class Standing:
    """Where a partner stands before the evaluation."""

    tier_id: int | None
    below_tier_since: date | None


@dataclass(frozen=True)
class EarlierToday:
    """The partner's evaluation already recorded for the same day, if any."""

    outcome: str
    current_tier_id: int | None
    qualified_tier_id: int | None


@dataclass(frozen=True)
class Decision:
    outcome: str
    qualified_tier_id: int | None
    # The tier recorded as "current" on the evaluation row.
    current_tier_id: int | None
    below_tier_since: date | None
    # The start of the grace period that led to a demotion (for its reason).
    short_since: date | None = None
    # Today's move was already made on this same qualification: nothing to do.
    repeated: bool = False

    @property
    def moves(self) -> bool:
        return not self.repeated and self.outcome in (Outcome.PROMOTE, Outcome.DEMOTE)


class ProposalStep(Enum):
    """What to do about a partner's proposal after a decision."""

    NONE = "none"
    APPLY = "apply"  # automatic mode: change the tier now
    PROPOSE = "propose"  # reviewed mode: open a proposal
    RETARGET = "retarget"  # reviewed mode: point the open proposal elsewhere
    WITHDRAW = "withdraw"  # the open proposal is no longer warranted


def qualified_tier(
    ladder_high_first: Sequence[Rung], values: Mapping[str, Decimal], known: set[str]
) -> Rung | None:
    """The highest tier whose every requirement is met.  A requirement on a
    metric that no longer exists cannot be met; a tier without requirements is."""
    for rung in ladder_high_first:
        if all(
            metric in known and values.get(metric, Decimal(0)) >= minimum
            for metric, minimum in rung.requirements
        ):
            return rung
    return None


def _rank(ranks: Mapping[int, int], tier_id: int | None) -> int:
    return -1 if tier_id is None else ranks[tier_id]


def decide(
    *,
    ladder_high_first: Sequence[Rung],
    values: Mapping[str, Decimal],
    known: set[str],
    standing: Standing,
    on: date,
    grace_days: int,
    earlier_today: EarlierToday | None = None,
) -> Decision:
    """One partner's evaluation on ``on``.

    Above the current tier (or no tier yet) is a promotion; the same tier is
    kept; below it starts (or continues) the grace period, which becomes a
    demotion once ``grace_days`` have passed; qualifying again clears it.
    A move already made earlier the same day on the same qualification is
    repeated as it was, so evaluating twice a day changes nothing.
    """
    qualified = qualified_tier(ladder_high_first, values, known)
    target = qualified.tier_id if qualified else None
    if (
        earlier_today is not None
        and earlier_today.outcome in (Outcome.PROMOTE, Outcome.DEMOTE)
        and earlier_today.qualified_tier_id == target == standing.tier_id
        and earlier_today.current_tier_id != target
    ):
        return Decision(
            outcome=earlier_today.outcome,
            qualified_tier_id=target,
            current_tier_id=earlier_today.current_tier_id,
            below_tier_since=standing.below_tier_since,
            repeated=True,
        )
    ranks = {rung.tier_id: rung.rank for rung in ladder_high_first}
    above = _rank(ranks, target) - _rank(ranks, standing.tier_id)
    if above > 0:
        outcome, below = Outcome.PROMOTE, None
    elif above == 0:
        outcome, below = Outcome.KEEP, None
    else:
        below = standing.below_tier_since or on
        outcome = Outcome.DEMOTE if (on - below).days >= grace_days else Outcome.GRACE
    return Decision(
        outcome=outcome,
        qualified_tier_id=target,
        current_tier_id=standing.tier_id,
        below_tier_since=below,
        short_since=below if outcome == Outcome.DEMOTE else None,
    )


def proposal_step(
    decision: Decision,
    *,
    automatic: bool,
    open_proposal_to: int | None,
    open_proposal_from: int | None,
    has_open_proposal: bool,
) -> ProposalStep:
    """Automatic mode applies a move at once (superseding an open proposal);
    reviewed mode keeps one open proposal per partner, opened, retargeted or
    withdrawn as the evaluations change their mind."""
    if decision.repeated:
        return ProposalStep.NONE
    if decision.moves and automatic:
        return ProposalStep.APPLY
    if decision.moves:
        if not has_open_proposal:
            return ProposalStep.PROPOSE
        if (
            open_proposal_to != decision.qualified_tier_id
            or open_proposal_from != decision.current_tier_id
        ):
            return ProposalStep.RETARGET
        return ProposalStep.NONE
    return ProposalStep.WITHDRAW if has_open_proposal else ProposalStep.NONE


def append_note(text: str, note: str) -> str:
    return f"{text}\n{note}" if text else note


def withdraw(change: TierChange, *, now, note: str, by=None) -> None:
    """Mark an open proposal rejected with ``note`` (the caller saves it)."""
    change.status = TierChange.Status.REJECTED
    change.decided_at = now
    change.decided_by = by
    change.reason = append_note(change.reason, note)
