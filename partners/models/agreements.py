"""Versioned program agreements and their acceptance by partners."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.models_base import TenantOwned

from .organisations import Partner


def agreement_upload_path(instance, filename: str) -> str:
    return f"tenants/{instance.tenant_id}/agreements/v{instance.version}/{filename}"


class Agreement(TenantOwned):
    """One published version; the highest version is the current one."""

    title = models.CharField(_("title"), max_length=200)
    version = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("text"), blank=True)
    document = models.FileField(_("PDF"), upload_to=agreement_upload_path, blank=True)
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    accept_by = models.DateField(_("accept by"), null=True, blank=True)

    class Meta:
        verbose_name = _("agreement")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "version"], name="agreement_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class AgreementAcceptance(TenantOwned):
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="acceptances")
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="agreement_acceptances"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("agreement acceptance")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "agreement", "partner"], name="acceptance_once_per_partner"
            ),
        ]
