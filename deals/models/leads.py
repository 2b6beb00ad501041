"""Leads the vendor distributes to partners, the offers made, and routing rules."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from prm.models import currency_validator
from prm.models_base import TenantOwned, TimeStamped


class Lead(TenantOwned, TimeStamped):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        OFFERED = "offered", _("Offered to a partner")
        ACCEPTED = "accepted", _("Accepted")
        CONVERTED = "converted", _("Converted to a registration")
        UNROUTED = "unrouted", _("No eligible partner")
        CLOSED = "closed", _("Closed")

    company_name = models.CharField(_("company"), max_length=200)
    company_domain = models.CharField(_("domain"), max_length=253, blank=True)
    country = models.CharField(_("country"), max_length=2)
    industry = models.CharField(_("industry"), max_length=60, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    description = models.TextField(_("description"), blank=True)
    estimated_value = models.DecimalField(
        _("estimated value"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, validators=[currency_validator]
    )
    source = models.CharField(_("source"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("current partner"),
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    first_activity_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("lead")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["tenant", "status"], name="lead_status"),
            models.Index(fields=["tenant", "partner", "status"], name="lead_partner"),
        ]

    def __str__(self) -> str:
        return self.company_name


class LeadOffer(TenantOwned):
    """One offer of a lead to one partner, answered or reclaimed after its deadline."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Awaiting an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        RECLAIMED = "reclaimed", _("Reclaimed after the deadline")
        WITHDRAWN = "withdrawn", _("Withdrawn by the vendor")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="offers")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="lead_offers"
    )
    rule = models.ForeignKey(
        "deals.RoutingRule", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    offered_at = models.DateTimeField()
    due_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decline_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("lead offer")
        ordering = ["-offered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "lead"],
                condition=Q(outcome="pending"),
                name="lead_one_pending_offer",
            ),
        ]
        indexes = [
            # reclaim sweep: pending offers past their deadline
            models.Index(
                fields=["tenant", "due_at"], condition=Q(outcome="pending"), name="lead_offer_due"
            ),
            models.Index(fields=["tenant", "partner", "outcome"], name="lead_offer_partner"),
        ]


class RoutingRule(TenantOwned):
    """Which partners may receive a lead: empty lists match anything.  Rules are
    tried by priority; among eligible partners the lightest open-lead load wins,
    then the better acceptance and win rates, then whoever waited longest."""

    name = models.CharField(_("name"), max_length=150)
    priority = models.PositiveIntegerField(
        _("priority"), default=100, help_text=_("Lower runs first.")
    )
    countries = ArrayField(models.CharField(max_length=2), default=list, blank=True)
    industries = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    partner_types = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    tier_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    max_open_leads = models.PositiveIntegerField(
        _("at most this many open leads per partner"), null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return self.name
