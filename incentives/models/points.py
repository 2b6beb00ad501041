"""Partner points: what the vendor rewards (earning rules on recorded
events), the ledger of every person's points, the rewards they redeem them
for, and when points expire.

A person's points are kept per partner they earned them with.  The ledger
(``PointsEntry``) is append-only (a trigger refuses updates and deletes) and
every entry names its source: the event and its source row, the redemption,
the lot that expired, or who adjusted and why.  The balance row holds the sum
of the ledger and the points held by pending redemptions; a check constraint
keeps the balance from ever going below zero, and services change it under
its row lock."""

import uuid
from pathlib import PurePath

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from prm.models_base import TenantOwned, TimeStamped

AMOUNT = {"max_digits": 18, "decimal_places": 2}


class ExpiryUnit(models.TextChoices):
    MONTHS = "months", _("months")
    DAYS = "days", _("days")


class PointsSettings(TenantOwned, TimeStamped):
    """The vendor's points settings: how long earned points last (no period:
    they never expire) and how many days before expiry people are reminded."""

    expire_after = models.PositiveSmallIntegerField(_("points expire after"), null=True, blank=True)
    expire_unit = models.CharField(
        _("unit"), max_length=6, choices=ExpiryUnit.choices, default=ExpiryUnit.MONTHS
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("remind people this many days before points expire"), default=14
    )
    updated_by = models.ForeignKey(
        "prm.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("points settings")
        verbose_name_plural = _("points settings")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="points_settings_once"),
            models.CheckConstraint(
                condition=Q(expire_after__isnull=True) | Q(expire_after__gte=1),
                name="points_settings_period",
            ),
        ]


class EarningRule(TenantOwned, TimeStamped):
    """Points for an event (``prm.events``): a fixed number per event, or for
    an event with an amount (a won deal) ``points`` per ``per_amount`` of it,
    rounded down.  One rule per event is active at a time."""

    event = models.CharField(_("event"), max_length=40)
    points = models.PositiveIntegerField(_("points"))
    per_amount = models.DecimalField(_("per amount of"), **AMOUNT, null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        "prm.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("earning rule")
        ordering = ["-is_active", "event", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=1), name="earning_rule_points"),
            models.CheckConstraint(
                condition=Q(per_amount__isnull=True) | Q(per_amount__gt=0),
                name="earning_rule_per_amount",
            ),
            models.UniqueConstraint(
                fields=["tenant", "event"],
                condition=Q(is_active=True),
                name="earning_rule_one_active",
            ),
        ]

    def __str__(self) -> str:
        return self.event


class PointsBalance(TenantOwned):
    """A person's points with one partner: ``balance`` is the sum of the
    ledger (what may be redeemed), ``held`` the points of pending redemptions
    (already deducted from the balance)."""

    membership = models.ForeignKey("prm.Membership", on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    balance = models.IntegerField(_("balance"), default=0)
    held = models.IntegerField(_("held"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("points balance")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "membership", "partner"], name="points_balance_once"
            ),
            models.CheckConstraint(condition=Q(balance__gte=0), name="points_balance_not_negative"),
            models.CheckConstraint(condition=Q(held__gte=0), name="points_held_not_negative"),
        ]
        indexes = [models.Index(fields=["tenant", "partner"], name="points_balance_partner")]


class PointsEntryKind(models.TextChoices):
    EARNED = "earned", _("Earned")
    REDEEMED = "redeemed", _("Redeemed")
    RETURNED = "returned", _("Returned (redemption rejected)")
    EXPIRED = "expired", _("Expired")
    ADJUSTED = "adjusted", _("Adjusted")


def reward_image_path(reward: "Reward", name: str) -> str:
    """Outside any public URL, per tenant, under a name nobody can guess."""
    return f"tenants/rewards/{reward.tenant_id}/{uuid.uuid4().hex}{PurePath(name).suffix.lower()}"


class Reward(TenantOwned, TimeStamped):
    """A reward of the vendor's catalogue.  Its image is kept outside any
    public URL and served by the authorised image view."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    image = models.FileField(upload_to=reward_image_path, blank=True)
    image_type = models.CharField(max_length=40, blank=True)
    cost = models.PositiveIntegerField(_("cost in points"))
    stock = models.PositiveIntegerField(_("in stock"), null=True, blank=True)
    is_active = models.BooleanField(_("offered"), default=True)
    created_by = models.ForeignKey(
        "prm.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("reward")
        ordering = ["cost", "name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=1), name="reward_cost_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class RedemptionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the vendor")
    FULFILLED = "fulfilled", _("Fulfilled")
    REJECTED = "rejected", _("Rejected")


class Redemption(TenantOwned, TimeStamped):
    """A person redeeming points for a reward: the points (and one of the
    stock) are held from the request until the vendor fulfils or rejects it."""

    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions")
    membership = models.ForeignKey("prm.Membership", on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    cost = models.PositiveIntegerField(_("points"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RedemptionStatus.choices,
        default=RedemptionStatus.PENDING,
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        "prm.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("redemption")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=1), name="redemption_cost_positive"),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "created_at"], name="redemption_queue"),
            models.Index(fields=["tenant", "membership", "-created_at"], name="redemption_person"),
            models.Index(fields=["tenant", "partner", "-created_at"], name="redemption_partner"),
        ]


class PointsEntry(TenantOwned):
    """One movement of a person's points: append-only, pointing at its source."""

    membership = models.ForeignKey("prm.Membership", on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PointsEntryKind.choices)
    points = models.IntegerField(_("points"))
    # Earned: the event (a key of prm.events) and its source row's id.
    event = models.CharField(_("event"), max_length=40, blank=True)
    source_id = models.BigIntegerField(null=True, blank=True)
    rule = models.ForeignKey(
        EarningRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    redemption = models.ForeignKey(
        Redemption, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Expired: the lot (an earned or added entry) whose rest expired.
    lot = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A lot's expiry date: what is left of it expires on that day.
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    happened_on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    by = models.ForeignKey(
        "prm.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["earned", "returned"], points__gt=0)
                | Q(kind__in=["redeemed", "expired"], points__lt=0)
                | (Q(kind="adjusted") & ~Q(points=0)),
                name="points_entry_sign",
            ),
            # An event earns a person points once, however often it is recorded.
            models.UniqueConstraint(
                fields=["tenant", "event", "source_id", "membership"],
                condition=Q(kind="earned"),
                name="points_earned_once",
            ),
            # A redemption is deducted once and returned at most once.
            models.UniqueConstraint(
                fields=["tenant", "redemption", "kind"],
                condition=Q(redemption__isnull=False),
                name="points_redemption_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "membership", "partner", "-id"], name="points_entry_person"
            ),
            models.Index(fields=["tenant", "partner", "-id"], name="points_entry_partner"),
            models.Index(fields=["tenant", "expires_on"], name="points_entry_expiry"),
        ]


class PointsReminder(TenantOwned):
    """An expiry reminder sent to a person: it covers lots expiring up to
    ``covers_until``, so those are never announced twice."""

    membership = models.ForeignKey("prm.Membership", on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    points = models.PositiveIntegerField()
    first_expiry = models.DateField()
    covers_until = models.DateField()
    sent_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("points reminder")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "membership", "partner", "sent_on"],
                name="points_reminder_once_a_day",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "membership", "partner"], name="points_reminder_person")
        ]
