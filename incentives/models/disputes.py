"""Partner disputes of statement lines, and the adjustments that settle them.

A partner admin disputes one line of an approved payout; finance answers in
the same thread and resolves it, with or without an adjustment.  An
adjustment is never an edit: the next run of the program carries it as its
own line."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from prm.models_base import TenantOwned, TimeStamped

from .programs import MONEY, Program
from .runs import Payout, PayoutItem


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class DisputeResolution(models.TextChoices):
    NONE = "", _("Not yet resolved")
    ADJUSTED = "adjusted", _("Resolved with an adjustment in the next run")
    NO_CHANGE = "no_change", _("Resolved without a change")


class Dispute(TenantOwned, TimeStamped):
    item = models.ForeignKey(PayoutItem, on_delete=models.PROTECT, related_name="disputes")
    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="disputes")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    opened_by = models.ForeignKey("prm.Membership", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    resolution = models.CharField(
        max_length=10, choices=DisputeResolution.choices, default="", blank=True
    )
    resolved_by = models.ForeignKey(
        "prm.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("dispute")
        ordering = ["-created_at"]
        constraints = [
            # A line is disputed once at a time: a double submit is one dispute.
            models.UniqueConstraint(
                fields=["tenant", "item"], condition=Q(status="open"), name="dispute_one_open"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="dispute_status")]


class DisputeMessage(TenantOwned):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey("prm.Membership", on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class Adjustment(TenantOwned):
    """An amount the next run of ``program`` pays (or takes back) to a payee."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="adjustments")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "prm.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=200)
    dispute = models.OneToOneField(
        Dispute, on_delete=models.PROTECT, null=True, blank=True, related_name="adjustment"
    )
    created_by = models.ForeignKey("prm.Membership", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("adjustment")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="adjustment_not_zero"),
        ]
        indexes = [models.Index(fields=["tenant", "program"], name="adjustment_program")]
