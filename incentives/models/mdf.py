"""Market development funds: a partner's fund per program period, the
requests that commit it, the claims that spend it, and the ledger of every
movement.

A fund's six balances always reconcile: ``allocated = available + committed +
claimed + paid + expired``, and none is ever negative.  The database holds
both (check constraints on the fund row), every movement changes the fund row
under its row lock and writes one append-only ``MdfEntry`` whose own deltas
reconcile the same way, so the fund is the sum of its ledger."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from prm.models_base import TenantOwned, TimeStamped

from .programs import MONEY, PERCENT, MdfAllocation, Program

BALANCES = ("available", "committed", "claimed", "paid", "expired")


class MdfFund(TenantOwned, TimeStamped):
    """One partner's funds of one period of an MDF program."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="funds")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    currency = models.CharField(_("currency"), max_length=3)
    allocated = models.DecimalField(_("allocated"), **MONEY, default=0)
    available = models.DecimalField(_("available"), **MONEY, default=0)
    committed = models.DecimalField(_("committed"), **MONEY, default=0)
    claimed = models.DecimalField(_("claimed"), **MONEY, default=0)
    paid = models.DecimalField(_("paid"), **MONEY, default=0)
    expired = models.DecimalField(_("expired"), **MONEY, default=0)
    # How the first allocation was reached, so the amount can be traced.
    basis = models.CharField(_("allocated by"), max_length=14, choices=MdfAllocation.choices)
    basis_revenue = models.DecimalField(**MONEY, null=True, blank=True)
    basis_percent = models.DecimalField(**PERCENT, null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("MDF fund")
        ordering = ["-period_start", "partner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "program", "partner", "period_start"], name="mdf_fund_once"
            ),
            models.CheckConstraint(
                condition=Q(
                    allocated__gte=0,
                    available__gte=0,
                    committed__gte=0,
                    claimed__gte=0,
                    paid__gte=0,
                    expired__gte=0,
                ),
                name="mdf_fund_never_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    allocated=F("available")
                    + F("committed")
                    + F("claimed")
                    + F("paid")
                    + F("expired")
                ),
                name="mdf_fund_reconciles",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "partner"], name="mdf_fund_partner")]

    def __str__(self) -> str:
        return f"{self.program} · {self.period_start:%Y-%m-%d}"


class ActivityType(models.TextChoices):
    EVENT = "event", _("Event")
    WEBINAR = "webinar", _("Webinar")
    DIGITAL = "digital", _("Digital campaign")
    CONTENT = "content", _("Content")
    TRADE_SHOW = "trade_show", _("Trade show")
    OTHER = "other", _("Other")


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for a decision")
    CHANGES = "changes", _("Changes asked for")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CLAIMED = "claimed", _("Claim approved")
    EXPIRED = "expired", _("Expired unclaimed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MdfRequest(TenantOwned, TimeStamped):
    """A partner's request for funds for one planned activity."""

    fund = models.ForeignKey(MdfFund, on_delete=models.PROTECT, related_name="requests")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey("prm.Membership", on_delete=models.PROTECT, related_name="+")
    activity_type = models.CharField(_("activity"), max_length=12, choices=ActivityType.choices)
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    expected_leads = models.PositiveIntegerField(_("expected leads"), null=True, blank=True)
    expected_attendees = models.PositiveIntegerField(_("expected attendees"), null=True, blank=True)
    expected_results = models.CharField(_("other expected results"), max_length=300, blank=True)
    amount = models.DecimalField(_("amount requested"), **MONEY)
    cofunding_percent = models.DecimalField(
        _("partner's co-funding share %"), **PERCENT, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    approved_amount = models.DecimalField(_("approved"), **MONEY, null=True, blank=True)
    decided_by = models.ForeignKey(
        "prm.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("reason or question"), blank=True)
    claim_deadline = models.DateField(_("claim by"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("MDF request")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="mdf_request_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="mdf_request_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True)
                | Q(approved_amount__gt=0, approved_amount__lte=F("amount")),
                name="mdf_request_approved_within_asked",
            ),
            models.CheckConstraint(
                condition=Q(cofunding_percent__isnull=True)
                | Q(cofunding_percent__gte=0, cofunding_percent__lt=100),
                name="mdf_request_cofunding_range",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "partner", "status"], name="mdf_request_partner"),
            models.Index(fields=["tenant", "status", "created_at"], name="mdf_request_queue"),
        ]

    def __str__(self) -> str:
        return self.title


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class MdfClaim(TenantOwned, TimeStamped):
    """The claim for an approved request, after the activity, with proof."""

    request = models.ForeignKey(MdfRequest, on_delete=models.PROTECT, related_name="claims")
    fund = models.ForeignKey(MdfFund, on_delete=models.PROTECT, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey("prm.Membership", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount claimed"), **MONEY)
    actual_leads = models.PositiveIntegerField(_("leads generated"), null=True, blank=True)
    actual_attendees = models.PositiveIntegerField(_("attendees"), null=True, blank=True)
    results = models.TextField(_("results"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED
    )
    approved_amount = models.DecimalField(_("approved"), **MONEY, null=True, blank=True)
    decided_by = models.ForeignKey(
        "prm.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("MDF claim")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="mdf_claim_positive"),
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True)
                | Q(approved_amount__gt=0, approved_amount__lte=F("amount")),
                name="mdf_claim_approved_within_claimed",
            ),
            # A request has one claim in play: a rejected one may be followed
            # by another within the window.
            models.UniqueConstraint(
                fields=["tenant", "request"],
                condition=Q(status__in=["submitted", "approved"]),
                name="mdf_claim_one_in_play",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "partner", "status"], name="mdf_claim_partner"),
            models.Index(fields=["tenant", "status", "created_at"], name="mdf_claim_queue"),
            models.Index(
                fields=["tenant", "program", "status", "decided_at"], name="mdf_claim_payable"
            ),
        ]

    def __str__(self) -> str:
        return str(self.request)


class MdfProof(TenantOwned):
    """A proof of performance: stored outside any public URL, served only by
    the authorised download view."""

    claim = models.ForeignKey(MdfClaim, on_delete=models.PROTECT, related_name="proofs")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="tenants/mdf/")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey("prm.Membership", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("proof of performance")
        ordering = ["id"]


class EntryKind(models.TextChoices):
    ALLOCATE = "allocate", _("Allocated")
    TOP_UP = "top_up", _("Topped up")
    REDUCE = "reduce", _("Reduced")
    COMMIT = "commit", _("Committed to an approved request")
    RELEASE = "release", _("Returned to the available funds")
    CLAIM = "claim", _("Claim approved")
    PAY = "pay", _("Paid")
    EXPIRE_FUNDS = "expire_funds", _("Expired unrequested")
    EXPIRE_REQUEST = "expire_request", _("Expired unclaimed")


class MdfEntry(TenantOwned):
    """One movement of a fund: append-only (a trigger refuses updates and
    deletes), pointing at what caused it."""

    fund = models.ForeignKey(MdfFund, on_delete=models.PROTECT, related_name="entries")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    d_allocated = models.DecimalField(**MONEY, default=0)
    d_available = models.DecimalField(**MONEY, default=0)
    d_committed = models.DecimalField(**MONEY, default=0)
    d_claimed = models.DecimalField(**MONEY, default=0)
    d_paid = models.DecimalField(**MONEY, default=0)
    d_expired = models.DecimalField(**MONEY, default=0)
    request = models.ForeignKey(
        MdfRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    claim = models.ForeignKey(
        MdfClaim, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payout = models.ForeignKey(
        "incentives.Payout", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by = models.ForeignKey(
        "prm.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("MDF ledger entry")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="mdf_entry_positive"),
            models.CheckConstraint(
                condition=Q(
                    d_allocated=F("d_available")
                    + F("d_committed")
                    + F("d_claimed")
                    + F("d_paid")
                    + F("d_expired")
                ),
                name="mdf_entry_reconciles",
            ),
            # A claim is paid once.
            models.UniqueConstraint(
                fields=["tenant", "claim"], condition=Q(kind="pay"), name="mdf_entry_paid_once"
            ),
        ]
