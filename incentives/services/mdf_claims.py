"""MDF claims: after the activity, within the claim window, the partner claims
what it spent (at most the approved amount) with proof of performance; the
channel manager approves it in full or in part, or rejects it with a reason.

An approved claim moves its amount from committed to claimed, gives the rest
of the commitment back to the fund, and is paid by the program's next payout
run (``incentives.earnings``), as the source of its own line.  A rejected
claim may be followed by another one while the window is open."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.selectors.people import partner_id_of
from prm.actions import action
from prm.audit import audit_record
from prm.models import Membership
from prm.policies import NotAllowed, can_decide_mdf, can_request_mdf
from prm.tenancy import require_tenant_id
from prm.uploads import Upload, check_upload

from ..mdf_ledger import fund_locked, move
from ..mdf_rules import (
    MAX_PROOF_BYTES,
    MAX_PROOFS,
    PROOF_KINDS,
    ClaimReport,
    money_problem,
    report_check,
)
from ..models import ClaimStatus, EntryKind, MdfClaim, MdfProof, MdfRequest, RequestStatus
from ..notifications import notify_mdf_claim_decided
from ..states import mdf_claim_is_decidable

MAX_REASON = 2000


def _proofs_check(proofs: list[UploadedFile]) -> list[tuple[UploadedFile, Upload]]:
    if not proofs:
        raise ValidationError(
            {"proofs": _("Attach proof of performance: invoices, photos or attendee lists.")}
        )
    if len(proofs) > MAX_PROOFS:
        raise ValidationError({"proofs": _("Attach at most %(n)d files.") % {"n": MAX_PROOFS}})
    return [
        (proof, check_upload(proof, allowed=PROOF_KINDS, max_bytes=MAX_PROOF_BYTES, field="proofs"))
        for proof in proofs
    ]


@action(can_request_mdf)
def mdf_claim_submit(
    *,
    request: MdfRequest,
    report: ClaimReport,
    proofs: list[UploadedFile],
    by: Membership,
) -> MdfClaim:
    """Claim an approved request of the own organisation, within its claim
    window, for at most the approved amount, with 1–10 proofs (PDF, PNG, JPEG,
    CSV or XLSX, each at most 10 MB, checked by content)."""
    report = report_check(report)
    checked = _proofs_check(proofs)
    stored: list[str] = []
    try:
        with transaction.atomic():
            request = MdfRequest.objects.select_for_update().get(pk=request.pk)
            if request.partner_id != partner_id_of(by):
                raise NotAllowed(_("This request is not your organisation's."))
            if request.status != RequestStatus.APPROVED:
                raise ValidationError(_("Only an approved request can be claimed."))
            if timezone.localdate() > request.claim_deadline:
                raise ValidationError(
                    _("The claim window closed on %(day)s.") % {"day": request.claim_deadline}
                )
            if report.amount > request.approved_amount:
                raise ValidationError(
                    {
                        "amount": _("Claim at most the %(approved)s approved.")
                        % {"approved": request.approved_amount}
                    }
                )
            claim = MdfClaim.objects.create(
                request=request,
                fund_id=request.fund_id,
                program_id=request.program_id,
                partner_id=request.partner_id,
                submitted_by=by,
                amount=report.amount,
                actual_leads=report.actual_leads,
                actual_attendees=report.actual_attendees,
                results=report.results,
            )
            for file, upload in checked:
                proof = MdfProof(
                    claim=claim,
                    partner_id=claim.partner_id,
                    name=(file.name or "proof")[-200:],
                    content_type=upload.content_type,
                    size=file.size,
                    uploaded_by=by,
                )
                name = f"{require_tenant_id()}/{claim.pk}/{uuid.uuid4().hex}.{upload.kind}"
                proof.file.save(name, file, save=False)
                stored.append(proof.file.name)
                proof.save()
            audit_record(actor=by.user, action="mdf_claim.submitted", target=claim)
    except BaseException as error:
        # The rows rolled back: the files written for them go too.
        for name in stored:
            default_storage.delete(name)
        if isinstance(error, IntegrityError):
            raise ValidationError(_("This request has a claim waiting for a decision.")) from error
        raise
    return claim


def _decidable(claim: MdfClaim) -> MdfClaim:
    claim = MdfClaim.objects.select_for_update().get(pk=claim.pk)
    if not mdf_claim_is_decidable(claim):
        raise ValidationError(_("This claim has been decided already."))
    return claim


@action(can_decide_mdf)
def mdf_claim_approve(
    *, claim: MdfClaim, by: Membership, amount: Decimal | None = None
) -> MdfClaim:
    """Approve the claim in full (no amount) or in part.  The approved amount
    moves from committed to claimed; what the request committed beyond it
    goes back to the fund's available balance."""
    if amount is not None:
        problem = money_problem(amount)
        if problem:
            raise ValidationError({"amount": problem})
    with transaction.atomic():
        claim = _decidable(claim)
        amount = claim.amount if amount is None else amount
        if amount > claim.amount:
            raise ValidationError(
                {
                    "amount": _("Approve at most the %(claimed)s claimed.")
                    % {"claimed": claim.amount}
                }
            )
        request = MdfRequest.objects.select_for_update().get(pk=claim.request_id)
        fund = fund_locked(claim.fund_id)
        move(fund, EntryKind.CLAIM, amount, request=request, claim=claim, by=by)
        rest = request.approved_amount - amount
        if rest > 0:
            move(fund, EntryKind.RELEASE, rest, request=request, claim=claim, by=by)
        claim.status, claim.approved_amount = ClaimStatus.APPROVED, amount
        claim.decided_by, claim.decided_at = by, timezone.now()
        claim.save()
        request.status = RequestStatus.CLAIMED
        request.save(update_fields=["status", "updated_at"])
        audit_record(actor=by.user, action="mdf_claim.approved", target=claim, amount=str(amount))
        notify_mdf_claim_decided(claim)
    return claim


@action(can_decide_mdf)
def mdf_claim_reject(*, claim: MdfClaim, reason: str, by: Membership) -> MdfClaim:
    """Reject the claim with a reason; the request stays committed, and the
    partner may claim again while the window is open."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the partner a reason.")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("Keep this to 2,000 characters.")})
    with transaction.atomic():
        claim = _decidable(claim)
        claim.status, claim.reason = ClaimStatus.REJECTED, reason
        claim.decided_by, claim.decided_at = by, timezone.now()
        claim.save()
        audit_record(actor=by.user, action="mdf_claim.rejected", target=claim)
        notify_mdf_claim_decided(claim)
    return claim
