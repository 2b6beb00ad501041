"""The tier rules as pure functions: no database, just inputs and decisions."""

from datetime import date, timedelta
from decimal import Decimal

from partners.tier_rules import (
    EarlierToday,
    Outcome,
    ProposalStep,
    Rung,
    Standing,
    decide,
    proposal_step,
    qualified_tier,
)

GOLD = Rung(tier_id=3, rank=2, requirements=(("won", Decimal(100)),))
SILVER = Rung(tier_id=2, rank=1, requirements=(("won", Decimal(10)),))
BASE = Rung(tier_id=1, rank=0, requirements=())
LADDER = [GOLD, SILVER, BASE]
KNOWN = {"won"}
DAY = date(2030, 6, 1)


def _decide(won, tier_id, below=None, on=DAY, grace=30, earlier=None):
    return decide(
        ladder_high_first=LADDER,
        values={"won": Decimal(won)},
        known=KNOWN,
        standing=Standing(tier_id, below),
        on=on,
        grace_days=grace,
        earlier_today=earlier,
    )


def test_the_highest_tier_with_every_requirement_met_qualifies():
    assert qualified_tier(LADDER, {"won": Decimal(100)}, KNOWN) == GOLD
    assert qualified_tier(LADDER, {"won": Decimal(99)}, KNOWN) == SILVER
    assert qualified_tier(LADDER, {}, KNOWN) == BASE
    # A requirement on a metric that no longer exists is never met.
    assert qualified_tier(LADDER, {"won": Decimal(500)}, set()) == BASE


def test_above_is_a_promotion_and_the_same_tier_is_kept():
    promoted = _decide(150, SILVER.tier_id, below=DAY - timedelta(days=3))
    assert (promoted.outcome, promoted.qualified_tier_id, promoted.below_tier_since) == (
        Outcome.PROMOTE,
        GOLD.tier_id,
        None,
    )
    assert promoted.moves
    kept = _decide(20, SILVER.tier_id)
    assert (kept.outcome, kept.moves) == (Outcome.KEEP, False)


def test_below_starts_a_grace_period_that_becomes_a_demotion():
    first = _decide(5, SILVER.tier_id)
    assert (first.outcome, first.below_tier_since) == (Outcome.GRACE, DAY)
    later = _decide(5, SILVER.tier_id, below=DAY, on=DAY + timedelta(days=29))
    assert later.outcome == Outcome.GRACE
    due = _decide(5, SILVER.tier_id, below=DAY, on=DAY + timedelta(days=30))
    assert (due.outcome, due.qualified_tier_id, due.short_since) == (
        Outcome.DEMOTE,
        BASE.tier_id,
        DAY,
    )


def test_a_move_made_earlier_the_same_day_is_not_made_again():
    earlier = EarlierToday(Outcome.PROMOTE, SILVER.tier_id, GOLD.tier_id)
    again = _decide(150, GOLD.tier_id, earlier=earlier)
    assert again.repeated and not again.moves
    assert (again.outcome, again.current_tier_id) == (Outcome.PROMOTE, SILVER.tier_id)
    step = proposal_step(
        again, automatic=True, open_proposal_to=None, open_proposal_from=None,
        has_open_proposal=False,
    )  # fmt: skip
    assert step == ProposalStep.NONE


def test_what_happens_to_the_proposal():
    move = _decide(150, SILVER.tier_id)
    keep = _decide(20, SILVER.tier_id)

    def step(decision, automatic, to=None, frm=None, open_=False):
        return proposal_step(
            decision,
            automatic=automatic,
            open_proposal_to=to,
            open_proposal_from=frm,
            has_open_proposal=open_,
        )

    assert step(move, automatic=True) == ProposalStep.APPLY
    assert step(move, automatic=False) == ProposalStep.PROPOSE
    assert step(move, False, GOLD.tier_id, SILVER.tier_id, True) == ProposalStep.NONE
    assert step(move, False, BASE.tier_id, SILVER.tier_id, True) == ProposalStep.RETARGET
    assert step(keep, False, GOLD.tier_id, SILVER.tier_id, True) == ProposalStep.WITHDRAW
    assert step(keep, False) == ProposalStep.NONE
