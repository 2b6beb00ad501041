"""Disputes of statement lines: a partner admin opens one on a line of the own
partner's approved payout, both sides write in its thread, finance resolves
it — with an adjustment the program's next run pays, or without a change."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.selectors.people import partner_id_of
from prm import policies
from prm.actions import action
from prm.audit import audit_record
from prm.models import Membership
from prm.policies import NotAllowed, can_dispute_statements, can_resolve_disputes

from ..models import (
    Adjustment,
    Dispute,
    DisputeMessage,
    DisputeResolution,
    DisputeStatus,
    PayoutItem,
)
from ..states import dispute_is_open, run_is_frozen

MAX_MESSAGE = 4000


def _body(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"body": _("Write a message.")})
    if len(text) > MAX_MESSAGE:
        raise ValidationError({"body": _("Keep the message to 4,000 characters.")})
    return text


@action(can_dispute_statements)
def dispute_open(*, item: PayoutItem, body: str, by: Membership) -> Dispute:
    """Dispute one line of the own partner's approved payout, saying why.  A
    line already in dispute is refused (a double submit too)."""
    body = _body(body)
    item = PayoutItem.objects.select_related("run", "payout").get(pk=item.pk)
    if item.partner_id != partner_id_of(by):
        raise NotAllowed(_("This line is not your organisation's."))
    if not run_is_frozen(item.run):
        raise ValidationError(_("Only lines of approved payouts can be disputed."))
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(
                item=item, payout=item.payout, partner_id=item.partner_id, opened_by=by
            )
            DisputeMessage.objects.create(dispute=dispute, author=by, body=body)
            audit_record(actor=by.user, action="dispute.opened", target=dispute)
    except IntegrityError as error:
        raise ValidationError(_("This line is in dispute already.")) from error
    return dispute


def _may_write(dispute: Dispute, by: Membership) -> bool:
    if policies.can_view_payouts(by):
        return True
    return policies.can_dispute_statements(by) and dispute.partner_id == partner_id_of(by)


@action(policies.can_write_in_disputes)
def dispute_reply(*, dispute: Dispute, body: str, by: Membership) -> DisputeMessage:
    """A message in the thread, from the partner's admins or the vendor's staff."""
    body = _body(body)
    if not _may_write(dispute, by):
        raise NotAllowed(_("This dispute is not yours to answer."))
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if not dispute_is_open(dispute):
            raise ValidationError(_("This dispute is resolved; open a new one if needed."))
        message = DisputeMessage.objects.create(dispute=dispute, author=by, body=body)
        dispute.save(update_fields=["updated_at"])
    return message


def _adjustment_amount(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount == 0:
        raise ValidationError({"amount": _("Enter the adjustment: above or below zero.")})
    if amount != amount.quantize(Decimal("0.01")) or abs(amount) >= Decimal("1e16"):
        raise ValidationError({"amount": _("Enter the amount in whole cents.")})
    return amount


@action(can_resolve_disputes)
def dispute_resolve(*, dispute: Dispute, body: str, by: Membership, amount=None) -> Dispute:
    """Resolve with a closing message; with ``amount`` an adjustment that the
    program's next run pays (a negative amount takes back)."""
    body = _body(body)
    adjustment = _adjustment_amount(amount) if amount not in (None, "") else None
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().select_related("item").get(pk=dispute.pk)
        if not dispute_is_open(dispute):
            raise ValidationError(_("This dispute has been resolved already."))
        DisputeMessage.objects.create(dispute=dispute, author=by, body=body)
        if adjustment is not None:
            Adjustment.objects.create(
                program_id=dispute.item.program_id,
                partner_id=dispute.partner_id,
                person_id=dispute.item.person_id,
                amount=adjustment,
                reason=body[:200],
                dispute=dispute,
                created_by=by,
            )
        dispute.status = DisputeStatus.RESOLVED
        dispute.resolution = (
            DisputeResolution.ADJUSTED if adjustment is not None else DisputeResolution.NO_CHANGE
        )
        dispute.resolved_by, dispute.resolved_at = by, timezone.now()
        dispute.save()
        audit_record(
            actor=by.user,
            action="dispute.resolved",
            target=dispute,
            adjustment=str(adjustment) if adjustment is not None else "",
        )
    return dispute
