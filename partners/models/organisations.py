"""Partner organisations: profile, domains, status history, custom types and KPIs."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from prm.models_base import TenantOwned, TimeStamped


class PartnerType(models.TextChoices):
    """Built-in partner types; a vendor may add its own (CustomPartnerType)."""

    RESELLER = "reseller", _("Reseller / VAR")
    MSP = "msp", _("Managed service provider")
    SYSTEM_INTEGRATOR = "si", _("System integrator")
    ISV = "isv", _("ISV")
    DISTRIBUTOR = "distributor", _("Distributor")
    CONSULTANT = "consultant", _("Consultant / advisor")
    AGENCY = "agency", _("Agency")
    OEM = "oem", _("OEM")
    REFERRAL = "referral", _("Referral / affiliate")


class PartnerStatus(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    ONBOARDING = "onboarding", _("Onboarding")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


class Segment(models.TextChoices):
    SMB = "smb", _("Small business")
    MID_MARKET = "mid_market", _("Mid-market")
    ENTERPRISE = "enterprise", _("Enterprise")
    PUBLIC_SECTOR = "public_sector", _("Public sector")


class CustomPartnerType(TenantOwned):
    """A partner type a vendor added beside the built-in ones."""

    key = models.SlugField(_("key"), max_length=40)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("custom partner type")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="custom_type_unique_key"),
        ]

    def __str__(self) -> str:
        return self.name


class Partner(TenantOwned, TimeStamped):
    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    regions = ArrayField(
        models.CharField(max_length=60), verbose_name=_("regions served"), default=list, blank=True
    )
    industries = ArrayField(
        models.CharField(max_length=60), verbose_name=_("industries"), default=list, blank=True
    )
    partner_type = models.CharField(_("partner type"), max_length=40)
    segment = models.CharField(_("segment"), max_length=20, choices=Segment.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=PartnerStatus.choices, default=PartnerStatus.ACTIVE
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account manager"),
    )
    tier = models.ForeignKey(
        "partners.Tier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partners",
        verbose_name=_("tier"),
    )
    tier_since = models.DateField(_("in tier since"), null=True, blank=True)
    # First evaluation that found the partner short of its tier; demotion waits
    # for the grace period from here.
    below_tier_since = models.DateField(_("short of tier since"), null=True, blank=True)
    # Profile the partner keeps up to date.
    strengths = models.TextField(_("strengths"), blank=True)
    markets = models.TextField(_("markets"), blank=True)
    certifications_held = models.TextField(_("certifications held"), blank=True)
    customer_references = models.TextField(_("customer references"), blank=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("tenant", Lower("name"), name="partner_unique_name"),
        ]
        indexes = [
            # directory filters
            models.Index(fields=["tenant", "status", "partner_type"], name="partner_directory"),
            models.Index(fields=["tenant", "tier"], name="partner_tier"),
        ]

    def __str__(self) -> str:
        return self.name


class PartnerDomain(TenantOwned):
    """A web/e-mail domain of a partner; one partner per domain within a tenant."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("domain"), max_length=253)

    class Meta:
        verbose_name = _("partner domain")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "domain"], name="partner_domain_unique"),
            models.CheckConstraint(condition=Q(domain=Lower("domain")), name="domain_lowercase"),
        ]

    def __str__(self) -> str:
        return self.domain


class PartnerStatusChange(TenantOwned):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=PartnerStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=PartnerStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partner status change")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "partner", "-created_at"], name="partner_status_history")
        ]


class KpiDefinition(TenantOwned):
    """A custom KPI a vendor tracks per partner (values are recorded or imported)."""

    key = models.SlugField(_("key"), max_length=40)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("custom KPI")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="kpi_unique_key"),
        ]

    def __str__(self) -> str:
        return self.name


class KpiValue(TenantOwned):
    """The current value of a custom KPI for one partner."""

    kpi = models.ForeignKey(KpiDefinition, on_delete=models.CASCADE, related_name="values")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="kpi_values")
    value = models.DecimalField(max_digits=18, decimal_places=4)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("custom KPI value")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "kpi", "partner"], name="kpi_value_unique"),
        ]
