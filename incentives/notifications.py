"""The notifications of incentives: a payout run approved, a statement ready,
MDF requests and claims decided, reward redemptions decided.

Kinds are registered at start-up; the ``notify_*`` helpers are called by the
services inside their transaction, so a notification exists exactly when the
action does."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.notifications import partner_admin_ids
from prm.models import Membership
from prm.notifications import NotificationKind, notification_kind_register, notify
from prm.policies import can_approve_payouts, can_view_payouts
from prm.roles import PARTNER_ROLES
from prm.selectors import member_ids_holding

from .models import (
    MdfClaim,
    MdfRequest,
    PayoutRun,
    Program,
    Redemption,
    RequestStatus,
    Statement,
)

PAYOUT_RUN_APPROVED = "payout_run_approved"
STATEMENT_READY = "statement_ready"
MDF_REQUEST_DECIDED = "mdf_request_decided"
MDF_CLAIM_DECIDED = "mdf_claim_decided"
REDEMPTION_DECIDED = "redemption_decided"


def _mdf_request_title(p: dict) -> str:
    values = {"title": p["title"]}
    if p["decision"] == RequestStatus.APPROVED and p.get("partial"):
        return _("Your MDF request “%(title)s” is approved in part") % values
    if p["decision"] == RequestStatus.APPROVED:
        return _("Your MDF request “%(title)s” is approved") % values
    if p["decision"] == RequestStatus.CHANGES:
        return _("The vendor asks for changes to your MDF request “%(title)s”") % values
    return _("Your MDF request “%(title)s” is rejected") % values


def _mdf_request_body(p: dict) -> str:
    if p["decision"] == RequestStatus.APPROVED:
        text = _(
            "%(approved)s %(currency)s of the %(asked)s %(currency)s asked for is committed. "
            "Claim it with proof by %(deadline)s."
        ) % {
            "approved": p["approved"],
            "asked": p["asked"],
            "currency": p["currency"],
            "deadline": p["claim_deadline"],
        }
        if p.get("note"):
            text += "\n" + _("Note: %(note)s") % {"note": p["note"]}
        return text
    if p["decision"] == RequestStatus.CHANGES:
        return _("Question: %(note)s\nRevise the request and send it again.") % {"note": p["note"]}
    return _("Reason: %(note)s") % {"note": p["note"]}


def _mdf_claim_title(p: dict) -> str:
    values = {"title": p["title"]}
    if p["decision"] == "approved":
        return _("Your MDF claim for “%(title)s” is approved") % values
    return _("Your MDF claim for “%(title)s” is rejected") % values


def _mdf_claim_body(p: dict) -> str:
    if p["decision"] == "approved":
        return _(
            "%(approved)s %(currency)s of the %(claimed)s %(currency)s claimed is approved; "
            "it is paid with the program's next payout run."
        ) % {"approved": p["approved"], "claimed": p["claimed"], "currency": p["currency"]}
    return _("Reason: %(reason)s\nYou may claim again while the claim window is open.") % {
        "reason": p["reason"]
    }


def register_notifications() -> None:
    payouts = gettext_lazy("Payouts")
    mdf = gettext_lazy("Market development funds")
    for kind in (
        NotificationKind(
            key=PAYOUT_RUN_APPROVED,
            label=gettext_lazy("A payout run is approved"),
            roles=can_view_payouts.roles,
            group=payouts,
            title=lambda p: (
                _("The %(program)s payout run for %(start)s – %(end)s is approved")
                % {"program": p["program"], "start": p["period_start"], "end": p["period_end"]}
            ),
            body=lambda p: (
                _(
                    "%(approver)s approved %(total)s %(currency)s. Issue its statements "
                    "and record the payments."
                )
                % {"approver": p["approver"], "total": p["total"], "currency": p["currency"]}
            ),
        ),
        NotificationKind(
            key=STATEMENT_READY,
            label=gettext_lazy("A payout statement is ready"),
            roles=PARTNER_ROLES,
            group=payouts,
            title=lambda p: (
                _("Your payout statement %(number)s is ready") % {"number": p["number"]}
            ),
            body=lambda p: (
                _("%(program)s, %(start)s – %(end)s. Download it from your statements.")
                % {"program": p["program"], "start": p["period_start"], "end": p["period_end"]}
            ),
        ),
        NotificationKind(
            key=MDF_REQUEST_DECIDED,
            label=gettext_lazy("Your MDF request is decided"),
            roles=PARTNER_ROLES,
            group=mdf,
            title=_mdf_request_title,
            body=_mdf_request_body,
        ),
        NotificationKind(
            key=MDF_CLAIM_DECIDED,
            label=gettext_lazy("Your MDF claim is decided"),
            roles=PARTNER_ROLES,
            group=mdf,
            title=_mdf_claim_title,
            body=_mdf_claim_body,
        ),
        NotificationKind(
            key=REDEMPTION_DECIDED,
            label=gettext_lazy("Your reward redemption is decided"),
            roles=PARTNER_ROLES,
            group=gettext_lazy("Points"),
            title=lambda p: (
                (
                    _("Your reward “%(reward)s” is on its way")
                    if p["decision"] == "fulfilled"
                    else _("Your redemption of “%(reward)s” was rejected")
                )
                % {"reward": p["reward"]}
            ),
            body=lambda p: (
                (
                    _("Redeemed for %(cost)s points, it has been fulfilled.")
                    if p["decision"] == "fulfilled"
                    else _("Reason: %(reason)s\nYour %(cost)s points have been returned.")
                )
                % {"cost": p["cost"], "reason": p.get("reason", "")}
            ),
        ),
    ):
        notification_kind_register(kind)


def _name(membership: Membership) -> str:
    user = membership.user
    return user.full_name or user.email


def notify_payout_run_approved(run: PayoutRun, by: Membership) -> None:
    """Tell the run's preparer and the people who approve and pay runs, except
    the approver; ``run`` comes with its program."""
    recipients = set(member_ids_holding(can_approve_payouts))
    if run.prepared_by_id:
        recipients.add(run.prepared_by_id)
    recipients.discard(by.pk)
    notify(
        PAYOUT_RUN_APPROVED,
        recipients=recipients,
        event=f"payout_run:{run.pk}:approved",
        params={
            "program": run.program.name,
            "period_start": run.period_start,
            "period_end": run.period_end,
            "total": str(run.total),
            "currency": run.currency,
            "approver": _name(by),
        },
        link="console_payout_run",
        link_params={"run_id": run.pk},
    )


def notify_statement_ready(statement: Statement) -> None:
    """Tell the payee partner's admins, and the person a SPIF statement pays."""
    run = PayoutRun.objects.select_related("program").get(pk=statement.run_id)
    recipients = set(partner_admin_ids([statement.partner_id]).get(statement.partner_id, []))
    if statement.person_id:
        recipients.add(statement.person_id)
    notify(
        STATEMENT_READY,
        recipients=recipients,
        event=f"statement:{statement.pk}:ready",
        params={
            "number": statement.number,
            "program": run.program.name,
            "period_start": run.period_start,
            "period_end": run.period_end,
        },
        link="partner_statements",
    )


def _requester_and_admins(partner_id: int, person_id: int) -> set[int]:
    return {person_id, *partner_admin_ids([partner_id]).get(partner_id, [])}


def _currency(program_id: int) -> str:
    return Program.objects.values_list("currency", flat=True).get(pk=program_id)


def notify_mdf_request_decided(request: MdfRequest) -> None:
    """Tell the requester and the partner's admins; ``request`` carries its new
    status, decision time and note (the reason or the question)."""
    notify(
        MDF_REQUEST_DECIDED,
        recipients=_requester_and_admins(request.partner_id, request.requested_by_id),
        event=f"mdf_request:{request.pk}:{request.status}:{request.decided_at.isoformat()}",
        params={
            "title": request.title,
            "decision": request.status,
            "asked": str(request.amount),
            "approved": str(request.approved_amount or ""),
            "partial": request.status == RequestStatus.APPROVED
            and request.approved_amount is not None
            and request.approved_amount < request.amount,
            "currency": _currency(request.program_id),
            "claim_deadline": request.claim_deadline or "",
            "note": request.decision_note,
        },
        link="partner_mdf_request",
        link_params={"request_id": request.pk},
    )


def notify_mdf_claim_decided(claim: MdfClaim) -> None:
    """Tell the claimant and the partner's admins; ``claim`` carries its new
    status and decision."""
    title = MdfRequest.objects.values_list("title", flat=True).get(pk=claim.request_id)
    notify(
        MDF_CLAIM_DECIDED,
        recipients=_requester_and_admins(claim.partner_id, claim.submitted_by_id),
        event=f"mdf_claim:{claim.pk}:{claim.status}",
        params={
            "title": title,
            "decision": claim.status,
            "claimed": str(claim.amount),
            "approved": str(claim.approved_amount or ""),
            "currency": _currency(claim.program_id),
            "reason": claim.reason,
        },
        link="partner_mdf_request",
        link_params={"request_id": claim.request_id},
    )


def notify_redemption_decided(redemption: Redemption) -> None:
    """Tell the person who redeemed; ``redemption`` comes with its reward."""
    notify(
        REDEMPTION_DECIDED,
        recipients=[redemption.membership_id],
        event=f"redemption:{redemption.pk}:{redemption.status}",
        params={
            "reward": redemption.reward.name,
            "cost": redemption.cost,
            "decision": redemption.status,
            "reason": redemption.reason,
        },
        link="partner_redemption",
        link_params={"redemption_id": redemption.pk},
    )
