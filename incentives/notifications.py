"""The notifications of incentives: a payout run approved, a statement ready,
MDF requests and claims decided, MDF funds about to expire and claim windows
about to close, reward redemptions decided, points about to expire.

Kinds are registered at start-up; the ``notify_*`` helpers are called by the
services inside their transaction, so a notification exists exactly when the
action does."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from partners.notifications import partner_admin_ids
from partners.selectors.people import member_ids_of_partners
from prm.models import Membership
from prm.notifications import (
    Notice,
    NotificationKind,
    day,
    money,
    notification_kind_register,
    notify,
    notify_many,
)
from prm.policies import can_approve_payouts, can_earn_points, can_view_payouts
from prm.roles import PARTNER_ROLES, Role
from prm.selectors import member_ids_holding

from .models import (
    MdfClaim,
    MdfRequest,
    PayoutRun,
    PointsReminder,
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
MDF_FUNDS_EXPIRING = "mdf_funds_expiring"
MDF_CLAIM_DUE = "mdf_claim_due"
POINTS_EXPIRING = "points_expiring"


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
            "%(approved)s of the %(asked)s asked for is committed. "
            "Claim it with proof by %(deadline)s."
        ) % {
            "approved": money(p["approved"], p["currency"]),
            "asked": money(p["asked"], p["currency"]),
            "deadline": day(p["claim_deadline"]),
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
            "%(approved)s of the %(claimed)s claimed is approved; "
            "it is paid with the program's next payout run."
        ) % {
            "approved": money(p["approved"], p["currency"]),
            "claimed": money(p["claimed"], p["currency"]),
        }
    return _("Reason: %(reason)s\nYou may claim again while the claim window is open.") % {
        "reason": p["reason"]
    }


def _period(p: dict) -> dict:
    return {"program": p["program"], "start": day(p["period_start"]), "end": day(p["period_end"])}


def _points_expiring_title(p: dict) -> str:
    return ngettext(
        "%(points)d of your points expires soon",
        "%(points)d of your points expire soon",
        p["points"],
    ) % {"points": p["points"]}


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
                % {
                    "program": p["program"],
                    "start": day(p["period_start"]),
                    "end": day(p["period_end"]),
                }
            ),
            body=lambda p: (
                _("%(approver)s approved %(total)s. Issue its statements and record the payments.")
                % {"approver": p["approver"], "total": money(p["total"], p["currency"])}
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
                % {
                    "program": p["program"],
                    "start": day(p["period_start"]),
                    "end": day(p["period_end"]),
                }
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
            key=MDF_FUNDS_EXPIRING,
            label=gettext_lazy("Your market development funds expire soon"),
            roles=frozenset({Role.PARTNER_ADMIN}),
            group=mdf,
            title=lambda p: (
                _("%(amount)s of your market development funds expire on %(date)s")
                % {"amount": money(p["amount"], p["currency"]), "date": day(p["expires_on"])}
            ),
            body=lambda p: (
                _(
                    "%(program)s: request funds for a planned activity before then; what is "
                    "not requested by the end of the period expires."
                )
                % {"program": p["program"]}
            ),
        ),
        NotificationKind(
            key=MDF_CLAIM_DUE,
            label=gettext_lazy("The claim window of your approved MDF request closes soon"),
            roles=PARTNER_ROLES,
            group=mdf,
            title=lambda p: (
                _("Claim your approved MDF activity “%(title)s” by %(date)s")
                % {"title": p["title"], "date": day(p["deadline"])}
            ),
            body=lambda p: (
                _(
                    "%(amount)s is approved. File the claim with proof of "
                    "performance (invoices, photos, attendee lists) before the window closes; "
                    "an approved request not claimed in time expires."
                )
                % {"amount": money(p["amount"], p["currency"])}
            ),
        ),
        NotificationKind(
            key=POINTS_EXPIRING,
            label=gettext_lazy("Your points expire soon"),
            roles=can_earn_points.roles,
            group=gettext_lazy("Points"),
            title=_points_expiring_title,
            body=lambda p: (
                ngettext(
                    "It expires on %(date)s. Redeem it for a reward before then.",
                    "The first of them expire on %(date)s. Redeem them for a reward before then.",
                    p["points"],
                )
                % {"date": day(p["first_expiry"])}
            ),
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


def _requesters_and_admins(rows) -> dict[int, list[int]]:
    """For each ``(partner id, person id or None)``: the partner's active
    admins and, if still one of its active people, the person."""
    people = member_ids_of_partners(partner_ids={partner_id for partner_id, _person in rows})
    admins = member_ids_of_partners(
        partner_ids={partner_id for partner_id, _person in rows}, roles={Role.PARTNER_ADMIN}
    )
    found = {}
    for partner_id, person_id in rows:
        recipients = set(admins.get(partner_id, ()))
        if person_id is not None and person_id in people.get(partner_id, ()):
            recipients.add(person_id)
        found[(partner_id, person_id)] = sorted(recipients)
    return found


def notify_mdf_funds_expiring(funds) -> list[int]:
    """Tell each fund's partner admins that its available balance expires at
    the end of its period, once per fund and period end; ``funds`` are rows
    ``(fund id, partner id, program name, period end, available, currency)``.
    Returns the ids of the notifications written now."""
    funds = list(funds)
    recipients = _requesters_and_admins([(row[1], None) for row in funds])
    return notify_many(
        MDF_FUNDS_EXPIRING,
        [
            Notice(
                recipients=tuple(recipients[(partner_id, None)]),
                event=f"mdf_fund:{fund_id}:expiring:{period_end.isoformat()}",
                params={
                    "program": program,
                    "amount": str(available),
                    "currency": currency,
                    "expires_on": period_end.isoformat(),
                },
                link="portal_mdf",
            )
            for fund_id, partner_id, program, period_end, available, currency in funds
        ],
    )


def notify_mdf_claims_due(requests) -> list[int]:
    """Tell each approved request's requester and its partner's admins that
    its claim window closes soon, once per request and deadline; ``requests``
    are rows ``(request id, partner id, requester id, title, claim deadline,
    approved amount, currency)``.  Returns the ids of the notifications
    written now."""
    requests = list(requests)
    recipients = _requesters_and_admins([(row[1], row[2]) for row in requests])
    return notify_many(
        MDF_CLAIM_DUE,
        [
            Notice(
                recipients=tuple(recipients[(partner_id, person_id)]),
                event=f"mdf_request:{request_id}:claim_due:{deadline.isoformat()}",
                params={
                    "title": title,
                    "amount": str(amount),
                    "currency": currency,
                    "deadline": deadline.isoformat(),
                },
                link="partner_mdf_request",
                link_params={"request_id": request_id},
            )
            for request_id, partner_id, person_id, title, deadline, amount, currency in requests
        ],
    )


def notify_points_expiring(reminders: list[PointsReminder]) -> list[int]:
    """Tell each reminded person (saved ``reminders``) how many points expire
    soon, once per reminder.  Returns the ids of the notifications written now."""
    return notify_many(
        POINTS_EXPIRING,
        [
            Notice(
                recipients=(reminder.membership_id,),
                event=f"points_reminder:{reminder.pk}",
                params={
                    "points": reminder.points,
                    "first_expiry": reminder.first_expiry.isoformat(),
                },
                link="partner_points",
            )
            for reminder in reminders
        ],
    )
