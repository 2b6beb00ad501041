"""Incentive programs: what a partner (or a rep) earns, on which revenue.

A program's rules are fixed once it is active: a change is a new version of
the program (same ``family``), so every payout run can name the rules it
applied."""

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from prm.models import currency_validator
from prm.models_base import TenantOwned, TimeStamped

MONEY = {"max_digits": 18, "decimal_places": 2}
PERCENT = {"max_digits": 7, "decimal_places": 4}
PERCENT_RANGE = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class ProgramKind(models.TextChoices):
    REBATE = "rebate", _("Rebate")
    COMMISSION = "commission", _("Commission")
    SPIF = "spif", _("SPIF")
    REGISTRATION_BONUS = "registration_bonus", _("Deal-registration bonus")
    MDF = "mdf", _("Market development funds")


class Calendar(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")
    CUSTOM = "custom", _("From the start date to the end date")


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class RebateMethod(models.TextChoices):
    RETROACTIVE = "retroactive", _("Retroactive: the bracket reached applies to all volume")
    MARGINAL = "marginal", _("Marginal: each bracket's rate applies to the volume inside it")


class MdfAllocation(models.TextChoices):
    FIXED = "fixed", _("The same fixed amount for every eligible partner")
    REVENUE_SHARE = (
        "revenue_share",
        _("The partner's won revenue of the previous period times its tier's MDF %"),
    )
    MANUAL = "manual", _("Set by hand per partner")


class PaysIn(models.TextChoices):
    CASH = "cash", _("Cash, through payout runs")
    POINTS = "points", _("Points, when the deal is won")


class Program(TenantOwned, TimeStamped):
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("type"), max_length=20, choices=ProgramKind.choices)
    description = models.TextField(_("description"), blank=True)
    calendar = models.CharField(_("periods"), max_length=10, choices=Calendar.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    currency = models.CharField(_("payout currency"), max_length=3, validators=[currency_validator])
    status = models.CharField(
        _("status"), max_length=8, choices=ProgramStatus.choices, default=ProgramStatus.DRAFT
    )
    # Rules.  Rebates use brackets (and product rates); the other kinds a
    # percentage or a fixed amount, refined per product and tier by rates.
    rebate_method = models.CharField(
        _("rebate method"), max_length=12, choices=RebateMethod.choices, blank=True
    )
    percent = models.DecimalField(
        _("percentage"), **PERCENT, null=True, blank=True, validators=PERCENT_RANGE
    )
    fixed_amount = models.DecimalField(
        _("fixed amount"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    min_deal_amount = models.DecimalField(
        _("minimum deal size"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    # A SPIF may pay points instead of cash: its fixed amount is then whole
    # points per qualifying deal, credited when the deal is won.
    pays_in = models.CharField(
        _("pays in"), max_length=6, choices=PaysIn.choices, default=PaysIn.CASH
    )
    # Market development funds: how funds are allocated per partner and
    # period (a fixed allocation is ``fixed_amount``), how long after an
    # activity a claim may be filed, and how early deadlines are reminded.
    mdf_allocation = models.CharField(
        _("MDF allocation"), max_length=14, choices=MdfAllocation.choices, blank=True
    )
    claim_window_days = models.PositiveSmallIntegerField(
        _("claim window (days after the activity)"), default=60
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("remind this many days before a deadline"), default=14
    )
    # Eligibility: an empty list means "any".
    eligible_tiers = models.ManyToManyField(
        "partners.Tier",
        through="ProgramTier",
        blank=True,
        related_name="+",
        verbose_name=_("tiers"),
    )
    eligible_types = ArrayField(
        models.CharField(max_length=40), default=list, blank=True, verbose_name=_("partner types")
    )
    eligible_countries = ArrayField(
        models.CharField(max_length=2), default=list, blank=True, verbose_name=_("countries")
    )
    eligible_regions = ArrayField(
        models.CharField(max_length=60), default=list, blank=True, verbose_name=_("regions")
    )
    eligible_products = models.ManyToManyField(
        "deals.Product",
        through="ProgramProduct",
        blank=True,
        related_name="+",
        verbose_name=_("products"),
    )
    # Money rules of the runs.
    budget_cap = models.DecimalField(
        _("budget"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    minimum_payout = models.DecimalField(
        _("minimum payout"), **MONEY, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    four_eyes_above = models.DecimalField(
        _("second approver above"),
        **MONEY,
        default=Decimal("10000"),
        validators=[MinValueValidator(0)],
        help_text=_("A run above this total must be approved by someone other than its preparer."),
    )
    # Versions: the first version is its own family.
    family = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="versions"
    )
    version = models.PositiveSmallIntegerField(default=1)
    activated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("incentive program")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="program_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__gte=0, percent__lte=100),
                name="program_percent_range",
            ),
            models.CheckConstraint(
                condition=~Q(kind="rebate") | ~Q(rebate_method=""),
                name="program_rebate_has_method",
            ),
            models.CheckConstraint(
                condition=Q(pays_in="cash") | Q(kind="spif", fixed_amount__isnull=False),
                name="program_points_only_for_spif",
            ),
            models.CheckConstraint(
                condition=~Q(kind="mdf") | ~Q(mdf_allocation=""),
                name="program_mdf_has_allocation",
            ),
            models.UniqueConstraint(
                fields=["tenant", "family", "version"], name="program_version_once"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="program_status")]

    def __str__(self) -> str:
        return self.name if self.version == 1 else f"{self.name} (v{self.version})"


class ProgramTier(TenantOwned):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    tier = models.ForeignKey("partners.Tier", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "program", "tier"], name="program_tier_once")
        ]


class ProgramProduct(TenantOwned):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("deals.Product", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "program", "product"], name="program_product_once"
            )
        ]


class ProgramBracket(TenantOwned):
    """A rebate bracket: from ``threshold`` of volume, ``rate`` per cent."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="brackets")
    threshold = models.DecimalField(_("from volume"), **MONEY, validators=[MinValueValidator(0)])
    rate = models.DecimalField(_("rate %"), **PERCENT, validators=PERCENT_RANGE)

    class Meta:
        verbose_name = _("rebate bracket")
        ordering = ["threshold"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "program", "threshold"], name="bracket_threshold_once"
            ),
            models.CheckConstraint(condition=Q(threshold__gte=0), name="bracket_not_negative"),
            models.CheckConstraint(condition=Q(rate__gte=0, rate__lte=100), name="bracket_rate"),
        ]


class ProgramRate(TenantOwned):
    """A rate that takes precedence over the program's own: for one product, one
    tier, or both (the most specific applies)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rates")
    product = models.ForeignKey(
        "deals.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    tier = models.ForeignKey(
        "partners.Tier", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    percent = models.DecimalField(
        _("percentage"), **PERCENT, null=True, blank=True, validators=PERCENT_RANGE
    )
    fixed_amount = models.DecimalField(
        _("fixed amount"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("program rate")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "program", "product", "tier"],
                nulls_distinct=False,
                name="program_rate_once",
            ),
            models.CheckConstraint(
                condition=Q(product__isnull=False) | Q(tier__isnull=False),
                name="program_rate_names_something",
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=False, fixed_amount__isnull=True)
                | Q(percent__isnull=True, fixed_amount__isnull=False),
                name="program_rate_one_kind",
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__gte=0, percent__lte=100),
                name="program_rate_percent_range",
            ),
        ]


class ExchangeRate(TenantOwned):
    """One unit of ``currency`` is worth ``rate`` units of ``to_currency`` from
    ``effective_on`` until the next rate of the pair."""

    currency = models.CharField(_("from"), max_length=3, validators=[currency_validator])
    to_currency = models.CharField(_("to"), max_length=3, validators=[currency_validator])
    rate = models.DecimalField(_("rate"), max_digits=18, decimal_places=8)
    effective_on = models.DateField(_("effective from"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exchange rate")
        ordering = ["currency", "to_currency", "-effective_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "currency", "to_currency", "effective_on"],
                name="exchange_rate_once_a_day",
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
            models.CheckConstraint(
                condition=~Q(currency=F("to_currency")), name="exchange_rate_two_currencies"
            ),
        ]
