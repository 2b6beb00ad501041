"""Payout statements: one numbered PDF per payee of an approved run, and the
payout profile (legal name, address, tax ID, payment details) they are made
out to.

A statement's number is gapless per tenant and year: the counter row of the
year is raised in the same transaction that inserts the statements, so a
rolled-back transaction takes its numbers back with it, and a unique
constraint refuses a number given twice."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from prm.models_base import TenantOwned, TimeStamped

from .runs import Payout, PayoutRun


class PayoutProfile(TenantOwned, TimeStamped):
    """How a partner is paid.  A partner without one is paid under its legal
    name (or its name)."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    address = models.TextField(_("address"), blank=True)
    tax_id = models.CharField(_("tax ID"), max_length=60, blank=True)
    payment_details = models.TextField(_("payment details"), blank=True)
    updated_by = models.ForeignKey(
        "prm.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("payout profile")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner"], name="payout_profile_once"),
        ]


class StatementCounter(TenantOwned):
    """The last statement number given in a year."""

    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # INSERT … ON CONFLICT on this pair creates or raises the year's counter.
            models.UniqueConstraint(fields=["tenant", "year"], name="statement_counter_once"),
        ]


class StatementStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Could not be prepared")


class Statement(TenantOwned):
    """The statement of one payout.  Its PDF is rendered by a worker and kept
    outside any public URL; the views serve it to whoever may see the payout."""

    run = models.ForeignKey(PayoutRun, on_delete=models.PROTECT, related_name="+")
    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="+")
    # The payee, copied from the payout so that the partner ring filters
    # statements without a join.
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "prm.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(_("statement number"), max_length=20)
    issued_on = models.DateField(_("issued on"))
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=StatementStatus.choices,
        default=StatementStatus.PENDING,
    )
    error = models.CharField(max_length=300, blank=True)
    file = models.FileField(upload_to="tenants/statements/", blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    requested_by = models.ForeignKey(
        "prm.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payout statement")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "payout"], name="statement_once_per_payout"),
            models.UniqueConstraint(
                fields=["tenant", "year", "sequence"], name="statement_number_once"
            ),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="statement_sequence"),
        ]
        indexes = [
            models.Index(fields=["tenant", "run", "status"], name="statement_run"),
            models.Index(
                fields=["tenant", "partner", "-year", "-sequence"], name="statement_partner"
            ),
        ]

    def __str__(self) -> str:
        return self.number
