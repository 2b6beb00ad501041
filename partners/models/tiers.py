"""Optional partner tiers: requirements, benefits, evaluations and changes."""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from prm.models_base import TenantOwned

from .organisations import Partner

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class TierPolicy(TenantOwned):
    """How a vendor runs tiers; small vendors run without (``enabled`` false)."""

    class Mode(models.TextChoices):
        AUTOMATIC = "automatic", _("Apply changes automatically")
        REVIEWED = "reviewed", _("Propose changes for review")

    enabled = models.BooleanField(_("tiers enabled"), default=False)
    mode = models.CharField(
        _("changes"), max_length=10, choices=Mode.choices, default=Mode.REVIEWED
    )
    demotion_grace_days = models.PositiveIntegerField(_("demotion grace period (days)"), default=90)

    class Meta:
        verbose_name = _("tier policy")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="tier_policy_one")]


class Tier(TenantOwned):
    name = models.CharField(_("name"), max_length=60)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("Higher is better."))
    discount_pct = models.DecimalField(
        _("discount %"), max_digits=5, decimal_places=2, default=Decimal("0"), validators=PERCENT
    )
    rebate_multiplier = models.DecimalField(
        _("rebate multiplier"),
        max_digits=6,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    mdf_allocation_pct = models.DecimalField(
        _("MDF allocation %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=PERCENT,
    )
    protection_days = models.PositiveIntegerField(
        _("deal protection (days)"), null=True, blank=True
    )
    content_access = ArrayField(
        models.CharField(max_length=40),
        default=list,
        blank=True,
        verbose_name=_("content access tags"),
    )

    class Meta:
        verbose_name = _("tier")
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "rank"], name="tier_unique_rank"),
            models.UniqueConstraint(fields=["tenant", "name"], name="tier_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class TierRequirement(TenantOwned):
    """The tier needs ``metric`` (a registered metric key) to be at least ``minimum``."""

    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="requirements")
    metric = models.CharField(_("metric"), max_length=60)
    minimum = models.DecimalField(_("at least"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("tier requirement")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "tier", "metric"], name="tier_requirement_unique"
            ),
        ]


class TierEvaluation(TenantOwned):
    """One partner's evaluation on one day (re-running the same day updates it)."""

    class Outcome(models.TextChoices):
        KEEP = "keep", _("Stays")
        PROMOTE = "promote", _("Qualifies for a higher tier")
        DEMOTE = "demote", _("Falls to a lower tier")
        GRACE = "grace", _("Short of tier, within grace period")

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="tier_evaluations")
    evaluated_on = models.DateField()
    current_tier = models.ForeignKey(Tier, on_delete=models.SET_NULL, null=True, related_name="+")
    qualified_tier = models.ForeignKey(Tier, on_delete=models.SET_NULL, null=True, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    metrics = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("tier evaluation")
        ordering = ["-evaluated_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner", "evaluated_on"], name="tier_evaluation_daily"
            ),
        ]
        indexes = [
            # a run reads the day's earlier evaluations, not the whole history
            models.Index(fields=["tenant", "evaluated_on"], name="tier_evaluation_by_day"),
        ]


class TierChange(TenantOwned):
    """A proposed or applied move between tiers; the partner's tier history."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected")

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="tier_changes")
    from_tier = models.ForeignKey(
        Tier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_tier = models.ForeignKey(
        Tier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("tier change")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner"],
                condition=Q(status="proposed"),
                name="tier_change_one_open_proposal",
            ),
        ]
