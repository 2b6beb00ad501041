"""Onboarding plans (per partner type) and each partner's progress through one."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from prm.models_base import TenantOwned

from .organisations import Partner


class OnboardingPlan(TenantOwned):
    name = models.CharField(_("name"), max_length=150)
    # Blank: the plan for partner types that have no plan of their own.
    partner_type = models.CharField(_("partner type"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("onboarding plan")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "partner_type"],
                condition=Q(is_active=True),
                name="onboarding_plan_one_active_per_type",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OnboardingStep(TenantOwned):
    """A step due ``due_after_days`` after onboarding starts.

    With a ``metric`` the step completes itself once the metric reaches
    ``threshold``; without one, the partner or account manager ticks it.
    """

    plan = models.ForeignKey(OnboardingPlan, on_delete=models.CASCADE, related_name="steps")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_after_days = models.PositiveIntegerField(_("due after (days)"), default=30)
    metric = models.CharField(_("completes itself when"), max_length=60, blank=True)
    threshold = models.DecimalField(
        _("reaches"), max_digits=18, decimal_places=2, default=Decimal("1")
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("onboarding step")
        ordering = ["position", "due_after_days", "id"]

    def __str__(self) -> str:
        return self.title


class PartnerOnboarding(TenantOwned):
    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="onboarding")
    plan = models.ForeignKey(OnboardingPlan, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(_("started"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner onboarding")


class PartnerOnboardingStep(TenantOwned):
    onboarding = models.ForeignKey(
        PartnerOnboarding, on_delete=models.CASCADE, related_name="steps"
    )
    step = models.ForeignKey(OnboardingStep, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField(_("due"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # Empty when the system observed the completion.
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("partner onboarding step")
        ordering = ["due_on", "step__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "onboarding", "step"], name="onboarding_step_once"
            ),
        ]
        indexes = [
            # overdue steps for account managers
            models.Index(
                fields=["tenant", "due_on"],
                condition=Q(completed_at__isnull=True),
                name="onboarding_open_steps",
            ),
        ]
