"""The vendor's product catalogue, its deal-registration rules, and its own accounts."""

from decimal import Decimal

from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.models_base import TenantOwned, TimeStamped


class Product(TenantOwned):
    code = models.CharField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    product_line = models.CharField(_("product line"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        ordering = ["product_line", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="product_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class DealSettings(TenantOwned):
    """A vendor's rules of engagement for deal registration and leads (one row per tenant)."""

    class Rule(models.TextChoices):
        FIRST_APPROVED = "first_approved", _("First approved registration wins")
        MANAGER_DECIDES = "manager_decides", _("The channel manager decides")

    engagement_rule = models.CharField(
        _("rule of engagement"), max_length=20, choices=Rule.choices, default=Rule.FIRST_APPROVED
    )
    direct_accounts_off_limits = models.BooleanField(
        _("the vendor's direct accounts are off limits"), default=True
    )
    protection_days = models.PositiveIntegerField(
        _("default protection (days)"), default=90, validators=[MinValueValidator(1)]
    )
    extension_days = models.PositiveIntegerField(
        _("days added per extension"), default=30, validators=[MinValueValidator(1)]
    )
    max_extensions = models.PositiveIntegerField(_("extensions allowed"), default=2)
    reminder_days = models.PositiveIntegerField(
        _("remind partners this many days before expiry"), default=7
    )
    approval_sla_hours = models.PositiveIntegerField(_("approval target (hours)"), default=48)
    lead_sla_hours = models.PositiveIntegerField(
        _("lead acceptance time (hours)"), default=48, validators=[MinValueValidator(1)]
    )
    name_similarity = models.DecimalField(
        _("name similarity that counts as a conflict"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.55"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("1"))],
    )

    class Meta:
        verbose_name = _("deal settings")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="deal_settings_one")]


class DirectAccount(TenantOwned, TimeStamped):
    """A customer the vendor sells to directly (imported list)."""

    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False)
    domain = models.CharField(_("domain"), max_length=253, blank=True)
    owner = models.CharField(_("account owner"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("direct account")
        ordering = ["name"]
        indexes = [
            # conflict detection: fuzzy name match
            GinIndex(
                fields=["name_key"], opclasses=["gin_trgm_ops"], name="direct_account_name_trgm"
            ),
            models.Index(fields=["tenant", "domain"], name="direct_account_domain"),
        ]
        constraints = [
            # One account per customer: by domain, or by name when it has none.
            models.UniqueConstraint(
                fields=["tenant", "domain"],
                condition=~models.Q(domain=""),
                name="direct_account_one_per_domain",
            ),
            models.UniqueConstraint(
                fields=["tenant", "name_key"],
                condition=models.Q(domain=""),
                name="direct_account_one_per_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name
