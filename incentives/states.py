"""Life cycles of programs and payout runs, and the predicates views,
templates and services ask."""

from __future__ import annotations

from .models import Payout, PayoutRun, Program, ProgramStatus, RunStatus


def program_rules_editable(program: Program) -> bool:
    return program.status == ProgramStatus.DRAFT


def program_is_draft(program: Program) -> bool:
    return program.status == ProgramStatus.DRAFT


def program_is_rebate(program: Program) -> bool:
    return program.kind == "rebate"


def program_is_active(program: Program) -> bool:
    return program.status == ProgramStatus.ACTIVE


def program_is_mdf(program: Program) -> bool:
    """A market development funds program: it allocates funds, not earnings."""
    return program.kind == "mdf"


def run_is_draft(run: PayoutRun) -> bool:
    return run.status == RunStatus.DRAFT


def run_is_calculating(run: PayoutRun) -> bool:
    return run.status == RunStatus.CALCULATING


def run_can_recalculate(run: PayoutRun) -> bool:
    return run.status in (RunStatus.DRAFT, RunStatus.FAILED)


def run_is_frozen(run: PayoutRun) -> bool:
    return run.status in (RunStatus.APPROVED, RunStatus.PAID)


def run_is_approved(run: PayoutRun) -> bool:
    return run.status == RunStatus.APPROVED


def run_needs_budget_decision(run: PayoutRun) -> bool:
    return run_is_draft(run) and run.over_budget and not run.budget_decision


def payout_is_payable(payout: Payout) -> bool:
    return payout.status == "payable"


def statement_is_ready(statement) -> bool:
    """The statement's PDF has been rendered and may be downloaded."""
    return statement.status == "ready"


def dispute_is_open(dispute) -> bool:
    return dispute.status == "open"


# --- market development funds ------------------------------------------------------


def mdf_request_is_decidable(request) -> bool:
    """Waiting for the vendor's decision."""
    return request.status == "submitted"


def mdf_request_is_revisable(request) -> bool:
    """The partner may still change (or withdraw) it."""
    return request.status in ("submitted", "changes")


def mdf_request_needs_changes(request) -> bool:
    return request.status == "changes"


def mdf_request_is_approved(request) -> bool:
    return request.status == "approved"


def mdf_request_is_claimable(request, today) -> bool:
    """Approved (a claim approved makes it ``claimed``) and its claim window
    open; whether a claim waits for a decision is the selectors' to say
    (``waiting_claims``)."""
    return (
        request.status == "approved"
        and request.claim_deadline is not None
        and today <= request.claim_deadline
    )


def mdf_claim_is_decidable(claim) -> bool:
    return claim.status == "submitted"


def mdf_claim_is_approved(claim) -> bool:
    return claim.status == "approved"


def rule_is_active(rule) -> bool:
    return rule.is_active


def reward_is_offered(reward) -> bool:
    return reward.is_active


def reward_in_stock(reward) -> bool:
    """Offered and not sold out (no stock set: unlimited)."""
    return reward.is_active and (reward.stock is None or reward.stock > 0)


def redemption_is_pending(redemption) -> bool:
    return redemption.status == "pending"


def redemption_is_rejected(redemption) -> bool:
    return redemption.status == "rejected"
