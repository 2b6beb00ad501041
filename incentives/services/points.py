"""Points: the vendor's earning rules and points settings, and manual
adjustments of a person's points.  Points are earned by the events other apps
record (``prm.events``; ``incentives.receivers`` awards them in the recording
transaction, through ``incentives.points_ledger``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.selectors.people import partner_id_of
from prm.actions import action
from prm.audit import audit_record
from prm.events import event_kinds
from prm.models import Membership
from prm.policies import can_manage_points

from ..models import EarningRule, ExpiryUnit, PointsEntryKind, PointsSettings
from ..points_ledger import balance_lock, entry_write, expiry_of, settings_of, whole_points
from ..states import rule_is_active

# The longest expiry period a vendor may set.
MAX_EXPIRY = {ExpiryUnit.MONTHS: 120, ExpiryUnit.DAYS: 3650}
MAX_REMINDER_DAYS = 365
MAX_PER_AMOUNT = Decimal("1e15")


def _per_amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount >= MAX_PER_AMOUNT:
        raise ValidationError(
            {"per_amount": _("Enter the amount the points are given for, above zero.")}
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"per_amount": _("Enter the amount in whole cents.")})
    return amount


def _rule_values(event: str, points, per_amount) -> tuple[int, Decimal | None]:
    kind = event_kinds().get(event)
    if kind is None:
        raise ValidationError({"event": _("Choose one of the events the program records.")})
    points = whole_points(points, "points")
    per_amount = _per_amount(per_amount)
    if per_amount is not None and not kind.per_amount:
        raise ValidationError(
            {"per_amount": _("This event has no amount: leave “per amount of” empty.")}
        )
    return points, per_amount


@action(can_manage_points)
def earning_rule_create(*, event: str, points, per_amount=None, by: Membership) -> EarningRule:
    """A rule giving points for an event (for an event with an amount: per
    deal, or ``points`` per ``per_amount`` of it).  One rule per event is
    active; deactivate the old one first."""
    points, per_amount = _rule_values(event, points, per_amount)
    try:
        with transaction.atomic():
            rule = EarningRule.objects.create(
                event=event, points=points, per_amount=per_amount, created_by=by
            )
            audit_record(
                actor=by.user,
                action="points.rule_created",
                target=rule,
                points=points,
                per_amount=str(per_amount or ""),
            )
    except IntegrityError as error:
        raise ValidationError(
            {"event": _("This event has an active rule already: edit or deactivate it.")}
        ) from error
    return rule


@action(can_manage_points)
def earning_rule_update(
    *, rule: EarningRule, points, per_amount=None, by: Membership
) -> EarningRule:
    """Change an active rule's points; what was earned under it stays as it was."""
    points, per_amount = _rule_values(rule.event, points, per_amount)
    with transaction.atomic():
        rule = EarningRule.objects.select_for_update().get(pk=rule.pk)
        if not rule_is_active(rule):
            raise ValidationError(_("This rule is no longer active: create a new one."))
        rule.points, rule.per_amount = points, per_amount
        rule.save(update_fields=["points", "per_amount", "updated_at"])
        audit_record(
            actor=by.user,
            action="points.rule_changed",
            target=rule,
            points=points,
            per_amount=str(per_amount or ""),
        )
    return rule


@action(can_manage_points)
def earning_rule_deactivate(*, rule: EarningRule, by: Membership) -> EarningRule:
    """The event earns nothing from now on (until a new rule is created)."""
    with transaction.atomic():
        if not EarningRule.objects.filter(pk=rule.pk, is_active=True).update(is_active=False):
            raise ValidationError(_("This rule is inactive already."))
        audit_record(actor=by.user, action="points.rule_deactivated", target=rule)
    rule.is_active = False
    return rule


@action(can_manage_points)
def points_settings_save(
    *, expire_after, expire_unit: str, reminder_days, by: Membership
) -> PointsSettings:
    """How long points last (empty: forever) and when people are reminded.
    A new period applies to points earned from now on."""
    errors = {}
    if expire_unit not in ExpiryUnit.values:
        errors["expire_unit"] = _("Choose months or days.")
    period = None
    if expire_after not in (None, ""):
        try:
            period = int(expire_after)
        except (TypeError, ValueError):
            period = 0
        limit = MAX_EXPIRY.get(expire_unit, MAX_EXPIRY[ExpiryUnit.MONTHS])
        if not 1 <= period <= limit:
            errors["expire_after"] = _("Enter a period from 1 to %(n)d, or leave it empty.") % {
                "n": limit
            }
    try:
        reminder = int(reminder_days)
    except (TypeError, ValueError):
        reminder = -1
    if not 0 <= reminder <= MAX_REMINDER_DAYS:
        errors["reminder_days"] = _("Enter a number of days from 0 to %(n)d.") % {
            "n": MAX_REMINDER_DAYS
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        settings, _created = PointsSettings.objects.select_for_update().get_or_create()
        settings.expire_after, settings.expire_unit = period, expire_unit
        settings.reminder_days, settings.updated_by = reminder, by
        settings.save()
        audit_record(
            actor=by.user,
            action="points.settings_changed",
            target=settings,
            expire_after=period,
            expire_unit=expire_unit,
            reminder_days=reminder,
        )
    return settings


@action(can_manage_points)
def points_adjust(*, person: Membership, points, reason: str, by: Membership):
    """Add (a lot that expires like earned points) or take back points of a
    partner person, saying why.  Taking back more than the balance is refused."""
    points = whole_points(points, "points", allow_negative=True)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the points change.")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("Keep the reason to 200 characters.")})
    partner_id = partner_id_of(person)
    if partner_id is None:
        raise ValidationError(_("Only a partner's people have points."))
    with transaction.atomic():
        balance = balance_lock(membership_id=person.pk, partner_id=partner_id)
        if balance.balance + points < 0:
            raise ValidationError(
                {
                    "points": _(
                        "This person has %(balance)s points: at most that much can be taken back."
                    )
                    % {"balance": balance.balance}
                }
            )
        entry = entry_write(
            balance,
            kind=PointsEntryKind.ADJUSTED,
            points=points,
            reason=reason,
            by=by,
            expires_on=expiry_of(timezone.localdate(), settings_of()) if points > 0 else None,
        )
        audit_record(
            actor=by.user, action="points.adjusted", target=person, points=points, reason=reason
        )
    return entry
