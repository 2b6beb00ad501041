"""MDF requests: a partner asks for funds for a planned activity; the channel
manager approves all or part of it (committing the funds), asks for changes,
or rejects it with a reason.

An approval never commits more than the fund has available at that moment:
it takes the fund's row lock, so of two approvals that together exceed the
balance the second is refused with a clear message."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.selectors.people import partner_id_of
from prm.actions import action
from prm.audit import audit_record
from prm.models import Membership
from prm.policies import NotAllowed, can_decide_mdf, can_request_mdf

from ..mdf_ledger import fund_locked, move
from ..mdf_rules import ActivityPlan, money_problem, plan_check
from ..models import EntryKind, MdfFund, MdfRequest, Program, ProgramStatus, RequestStatus
from ..notifications import notify_mdf_request_decided
from ..states import mdf_request_is_decidable, mdf_request_is_revisable

MAX_NOTE = 2000


def _own_partner(by: Membership) -> int:
    partner_id = partner_id_of(by)
    if partner_id is None:
        raise NotAllowed(_("Only people of a partner organisation request funds."))
    return partner_id


def _current_fund(program: Program, partner_id: int, today: datetime.date) -> MdfFund:
    fund = (
        MdfFund.objects.filter(
            program=program, partner_id=partner_id, period_start__lte=today, period_end__gte=today
        )
        .order_by("-period_start")
        .first()
    )
    if fund is None:
        raise ValidationError(
            {"program": _("Your organisation has no funds in this program for the current period.")}
        )
    return fund


def _within_balance(fund: MdfFund, amount: Decimal) -> None:
    if amount > fund.available:
        raise ValidationError(
            {
                "amount": _("Your organisation has %(have)s %(currency)s available in this fund.")
                % {"have": fund.available, "currency": fund.currency}
            }
        )


def _note(text: str, field: str, missing: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: missing})
    if len(text) > MAX_NOTE:
        raise ValidationError({field: _("Keep this to 2,000 characters.")})
    return text


def _write_plan(request: MdfRequest, plan: ActivityPlan) -> None:
    for name in (
        "activity_type",
        "title",
        "description",
        "starts_on",
        "ends_on",
        "amount",
        "expected_leads",
        "expected_attendees",
        "expected_results",
        "cofunding_percent",
    ):
        setattr(request, name, getattr(plan, name))


@action(can_request_mdf)
def mdf_request_submit(*, program: Program, plan: ActivityPlan, by: Membership) -> MdfRequest:
    """Ask for funds of the own organisation's current fund in the program; the
    amount may not exceed what is available now."""
    plan = plan_check(plan)
    partner_id = _own_partner(by)
    if program.kind != "mdf" or program.status != ProgramStatus.ACTIVE:
        raise ValidationError({"program": _("This program does not take MDF requests.")})
    with transaction.atomic():
        fund = _current_fund(program, partner_id, timezone.localdate())
        _within_balance(fund, plan.amount)
        request = MdfRequest(fund=fund, program_id=fund.program_id, partner_id=partner_id)
        request.requested_by = by
        _write_plan(request, plan)
        request.save()
        audit_record(actor=by.user, action="mdf_request.submitted", target=request)
    return request


def _own_request(request: MdfRequest, by: Membership) -> MdfRequest:
    request = MdfRequest.objects.select_for_update().get(pk=request.pk)
    if request.partner_id != partner_id_of(by):
        raise NotAllowed(_("This request is not your organisation's."))
    return request


@action(can_request_mdf)
def mdf_request_revise(*, request: MdfRequest, plan: ActivityPlan, by: Membership) -> MdfRequest:
    """Change a request that waits for a decision or was sent back; it waits
    for a decision again."""
    plan = plan_check(plan)
    with transaction.atomic():
        request = _own_request(request, by)
        if not mdf_request_is_revisable(request):
            raise ValidationError(_("This request has been decided; it cannot change."))
        _within_balance(MdfFund.objects.get(pk=request.fund_id), plan.amount)
        _write_plan(request, plan)
        request.status = RequestStatus.SUBMITTED
        request.save()
        audit_record(actor=by.user, action="mdf_request.revised", target=request)
    return request


@action(can_request_mdf)
def mdf_request_withdraw(*, request: MdfRequest, by: Membership) -> MdfRequest:
    with transaction.atomic():
        request = _own_request(request, by)
        if not mdf_request_is_revisable(request):
            raise ValidationError(_("Only a request waiting for a decision can be withdrawn."))
        request.status = RequestStatus.WITHDRAWN
        request.save(update_fields=["status", "updated_at"])
        audit_record(actor=by.user, action="mdf_request.withdrawn", target=request)
    return request


def _decidable(request: MdfRequest) -> MdfRequest:
    request = MdfRequest.objects.select_for_update().get(pk=request.pk)
    if not mdf_request_is_decidable(request):
        raise ValidationError(_("This request has been decided already."))
    return request


def _decided(request: MdfRequest, status: str, by: Membership, note: str) -> None:
    request.status, request.decided_by, request.decided_at = status, by, timezone.now()
    request.decision_note = note


@action(can_decide_mdf)
def mdf_request_approve(
    *, request: MdfRequest, by: Membership, amount: Decimal | None = None, note: str = ""
) -> MdfRequest:
    """Approve the request in full (no amount) or in part, committing that much
    of the partner's fund; never more than the fund has available now.  The
    claim is due within the program's claim window after the activity ends."""
    if amount is not None:
        problem = money_problem(amount)
        if problem:
            raise ValidationError({"amount": problem})
    note = (note or "").strip()[:MAX_NOTE]
    with transaction.atomic():
        request = _decidable(request)
        amount = request.amount if amount is None else amount
        if amount > request.amount:
            raise ValidationError(
                {
                    "amount": _("Approve at most the %(asked)s asked for.")
                    % {"asked": request.amount}
                }
            )
        fund = fund_locked(request.fund_id)
        move(fund, EntryKind.COMMIT, amount, request=request, by=by)
        program = Program.objects.get(pk=request.program_id)
        _decided(request, RequestStatus.APPROVED, by, note)
        request.approved_amount = amount
        request.claim_deadline = request.ends_on + datetime.timedelta(
            days=program.claim_window_days
        )
        request.save()
        audit_record(
            actor=by.user, action="mdf_request.approved", target=request, amount=str(amount)
        )
        notify_mdf_request_decided(request)
    return request


@action(can_decide_mdf)
def mdf_request_ask_changes(*, request: MdfRequest, question: str, by: Membership) -> MdfRequest:
    """Send the request back with a question; the partner revises it."""
    question = _note(question, "question", _("Say what should change."))
    with transaction.atomic():
        request = _decidable(request)
        _decided(request, RequestStatus.CHANGES, by, question)
        request.save()
        audit_record(actor=by.user, action="mdf_request.changes_asked", target=request)
        notify_mdf_request_decided(request)
    return request


@action(can_decide_mdf)
def mdf_request_reject(*, request: MdfRequest, reason: str, by: Membership) -> MdfRequest:
    reason = _note(reason, "reason", _("Give the partner a reason."))
    with transaction.atomic():
        request = _decidable(request)
        _decided(request, RequestStatus.REJECTED, by, reason)
        request.save()
        audit_record(actor=by.user, action="mdf_request.rejected", target=request)
        notify_mdf_request_decided(request)
    return request
