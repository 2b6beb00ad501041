"""The reward catalogue and redemptions.

The vendor keeps the catalogue (an image checked by its content, a cost in
points, an optional stock).  A partner person redeems a reward: in one
transaction the reward and the person's balance are locked, the cost is
deducted as a ``redeemed`` entry and held, and one of the stock is taken, so
two redemptions racing for the last points or the last item end with one
refused.  The vendor then fulfils it (the held points are spent) or rejects
it with a reason (a ``returned`` entry gives them back, and the stock)."""

from __future__ import annotations

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.selectors.people import partner_id_of
from prm.actions import action
from prm.audit import audit_record
from prm.models import Membership
from prm.policies import NotAllowed, can_decide_redemptions, can_earn_points, can_manage_points
from prm.uploads import check_upload

from ..models import PointsEntryKind, Redemption, RedemptionStatus, Reward
from ..notifications import notify_redemption_decided
from ..points_ledger import balance_lock, entry_write, whole_points
from ..states import redemption_is_pending, reward_in_stock

MAX_IMAGE_BYTES = 2 * 1024 * 1024
IMAGE_KINDS = {"png", "jpg"}
MAX_STOCK = 1_000_000


def _reward_values(name, description, cost, stock, image) -> dict:
    errors: dict[str, list[str]] = {}
    values: dict = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Name the reward.")]
    elif len(name) > 120:
        errors["name"] = [_("Keep the name to 120 characters.")]
    description = (description or "").strip()
    if len(description) > 2000:
        errors["description"] = [_("Keep the description to 2,000 characters.")]
    try:
        values["cost"] = whole_points(cost, "cost")
    except ValidationError as error:
        errors.update(error.message_dict)
    if stock in (None, ""):
        values["stock"] = None
    else:
        try:
            values["stock"] = int(str(stock).strip())
        except ValueError:
            values["stock"] = -1
        if not 0 <= values["stock"] <= MAX_STOCK:
            errors["stock"] = [_("Enter how many are in stock (0 or more), or leave it empty.")]
    if image is not None:
        try:
            values["image_type"] = check_upload(
                image, allowed=IMAGE_KINDS, max_bytes=MAX_IMAGE_BYTES, field="image"
            ).content_type
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    values.update(name=name, description=description)
    return values


def _save_image(reward: Reward, image: UploadedFile | None) -> None:
    if image is not None:
        reward.assign_tenant()  # the stored name holds the tenant
        reward.image.save(PurePath(image.name).name, image, save=False)


@action(can_manage_points)
def reward_create(
    *,
    name: str,
    cost,
    by: Membership,
    description: str = "",
    stock=None,
    image: UploadedFile | None = None,
) -> Reward:
    """Add a reward to the catalogue (offered at once).  An image must be a
    PNG or JPEG by its content, at most 2 MB."""
    values = _reward_values(name, description, cost, stock, image)
    with transaction.atomic():
        reward = Reward(created_by=by, **values)
        _save_image(reward, image)
        reward.save()
        audit_record(actor=by.user, action="points.reward_created", target=reward)
    return reward


@action(can_manage_points)
def reward_update(
    *,
    reward: Reward,
    name: str,
    cost,
    by: Membership,
    description: str = "",
    stock=None,
    is_active: bool = True,
    image: UploadedFile | None = None,
) -> Reward:
    """Change a reward; pending redemptions keep the cost they were made at."""
    values = _reward_values(name, description, cost, stock, image)
    with transaction.atomic():
        reward = Reward.objects.select_for_update().get(pk=reward.pk)
        for field, value in values.items():
            setattr(reward, field, value)
        reward.is_active = bool(is_active)
        _save_image(reward, image)
        reward.save()
        audit_record(actor=by.user, action="points.reward_changed", target=reward)
    return reward


@action(can_earn_points)
def redemption_request(*, reward: Reward, by: Membership) -> Redemption:
    """Redeem the person's points (with their partner) for a reward: the cost
    is deducted and held until the vendor decides.  Refused when the balance
    does not cover it — also when another redemption took the points a moment
    before — or when the reward is withdrawn or out of stock."""
    partner_id = partner_id_of(by)
    if partner_id is None:
        raise NotAllowed(_("Only a partner's people redeem points."))
    try:
        with transaction.atomic():
            reward = Reward.objects.select_for_update().get(pk=reward.pk)
            if not reward_in_stock(reward):
                raise ValidationError(_("This reward is no longer available."))
            balance = balance_lock(membership_id=by.pk, partner_id=partner_id)
            if balance.balance < reward.cost:
                raise ValidationError(
                    _(
                        "You have %(balance)s points; “%(reward)s” needs %(cost)s. "
                        "Nothing was redeemed."
                    )
                    % {"balance": balance.balance, "reward": reward.name, "cost": reward.cost}
                )
            redemption = Redemption.objects.create(
                reward=reward, membership=by, partner_id=partner_id, cost=reward.cost
            )
            entry_write(
                balance,
                kind=PointsEntryKind.REDEEMED,
                points=-reward.cost,
                held=reward.cost,
                redemption=redemption,
            )
            if reward.stock is not None:
                reward.stock -= 1
                reward.save(update_fields=["stock", "updated_at"])
            audit_record(
                actor=by.user,
                action="points.redeemed",
                target=redemption,
                reward=reward.name,
                cost=reward.cost,
            )
    except IntegrityError as error:
        # The balance's check constraint: only reachable if a lock was bypassed.
        raise ValidationError(
            _("Your points do not cover this reward. Nothing was redeemed.")
        ) from error
    return redemption


def _decide(redemption: Redemption, to_status: str, by: Membership, reason: str = ""):
    redemption = (
        Redemption.objects.select_for_update().select_related("reward").get(pk=redemption.pk)
    )
    if not redemption_is_pending(redemption):
        raise ValidationError(_("This redemption has been decided already."))
    redemption.status, redemption.reason = to_status, reason
    redemption.decided_by, redemption.decided_at = by, timezone.now()
    redemption.save()
    return redemption


@action(can_decide_redemptions)
def redemption_fulfil(*, redemption: Redemption, by: Membership) -> Redemption:
    """The reward was given: the held points are spent."""
    with transaction.atomic():
        redemption = _decide(redemption, RedemptionStatus.FULFILLED, by)
        balance = balance_lock(
            membership_id=redemption.membership_id, partner_id=redemption.partner_id
        )
        balance.held -= redemption.cost
        balance.save(update_fields=["held", "updated_at"])
        audit_record(actor=by.user, action="points.redemption_fulfilled", target=redemption)
        notify_redemption_decided(redemption)
    return redemption


@action(can_decide_redemptions)
def redemption_reject(*, redemption: Redemption, reason: str, by: Membership) -> Redemption:
    """Refuse a redemption, saying why: its points are returned, and its stock."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Tell the person why the redemption is rejected.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("Keep the reason to 300 characters.")})
    with transaction.atomic():
        # The same lock order as a redemption: the reward, then the balance.
        Reward.objects.select_for_update().filter(pk=redemption.reward_id).first()
        redemption = _decide(redemption, RedemptionStatus.REJECTED, by, reason)
        reward = redemption.reward
        balance = balance_lock(
            membership_id=redemption.membership_id, partner_id=redemption.partner_id
        )
        entry_write(
            balance,
            kind=PointsEntryKind.RETURNED,
            points=redemption.cost,
            held=-redemption.cost,
            redemption=redemption,
            reason=reason,
            by=by,
        )
        if reward.stock is not None:
            Reward.objects.filter(pk=reward.pk).update(stock=F("stock") + 1)
        audit_record(
            actor=by.user, action="points.redemption_rejected", target=redemption, reason=reason
        )
        notify_redemption_decided(redemption)
    return redemption
