"""Partner organisations of a tenant (the partner lifecycle builds on this)."""

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from prm.models_base import TenantOwned, TimeStamped


class PartnerType(models.TextChoices):
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


class Partner(TenantOwned, TimeStamped):
    name = models.CharField(_("name"), max_length=200)
    partner_type = models.CharField(_("partner type"), max_length=32, choices=PartnerType.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=PartnerStatus.choices, default=PartnerStatus.ACTIVE
    )
    country = models.CharField(_("country"), max_length=2, blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("tenant", Lower("name"), name="partner_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name
