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
