"""Deal registrations, their history, conflicts, protection, activities and won revenue."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.models import currency_validator
from prm.models_base import TenantOwned, TimeStamped

from .catalogue import DirectAccount, Product

MONEY = {"max_digits": 18, "decimal_places": 2}


class RegistrationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    MORE_INFO = "more_info", _("More information requested")
    APPROVED = "approved", _("Approved (protected)")
    REJECTED = "rejected", _("Rejected")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    EXPIRED = "expired", _("Expired")


class Stage(models.TextChoices):
    QUALIFICATION = "qualification", _("Qualification")
    DISCOVERY = "discovery", _("Discovery")
    PROPOSAL = "proposal", _("Proposal")
    NEGOTIATION = "negotiation", _("Negotiation")
    COMMIT = "commit", _("Commit")


class DealRegistration(TenantOwned, TimeStamped):
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("partner"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    customer_name = models.CharField(_("customer"), max_length=200)
    # Normalised name (case, punctuation and legal suffixes removed) for matching.
    customer_key = models.CharField(max_length=200, editable=False)
    customer_domain = models.CharField(_("customer domain"), max_length=253, blank=True)
    customer_country = models.CharField(_("customer country"), max_length=2)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    products = models.ManyToManyField(
        Product, through="DealProduct", related_name="+", verbose_name=_("products")
    )
    estimated_value = models.DecimalField(
        _("estimated value"), **MONEY, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    # Empty only on a draft saved before the partner knew it (submitting needs it).
    expected_close_date = models.DateField(_("expected close"), null=True, blank=True)
    stage = models.CharField(
        _("stage"), max_length=16, choices=Stage.choices, default=Stage.QUALIFICATION
    )
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.DRAFT,
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    protected_until = models.DateField(_("protected until"), null=True, blank=True)
    extensions_used = models.PositiveSmallIntegerField(default=0)
    extension_requested_at = models.DateTimeField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    reminder_sent_for = models.DateField(
        null=True, blank=True, help_text="protected_until the reminder was sent for"
    )
    won_amount = models.DecimalField(_("final amount"), **MONEY, null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    lost_reason = models.TextField(_("why lost"), blank=True)
    competitor = models.CharField(_("competitor"), max_length=200, blank=True)
    lead = models.OneToOneField(
        "deals.Lead", on_delete=models.SET_NULL, null=True, blank=True, related_name="registration"
    )

    class Meta:
        verbose_name = _("deal registration")
        ordering = ["-created_at"]
        indexes = [
            # conflict detection: fuzzy match on the normalised customer name
            GinIndex(
                fields=["customer_key"],
                opclasses=["gin_trgm_ops"],
                name="registration_customer_trgm",
            ),
            models.Index(fields=["tenant", "customer_domain"], name="registration_domain"),
            # approval queue and pipelines
            models.Index(fields=["tenant", "status", "submitted_at"], name="registration_queue"),
            models.Index(fields=["tenant", "partner", "status"], name="registration_partner"),
            # the lists' totals per status and currency, read from the index alone
            models.Index(
                fields=["tenant", "status", "currency"],
                include=["estimated_value"],
                name="registration_totals",
            ),
            # keyset pages: the lists' orders, newest first / oldest submission first
            models.Index(fields=["tenant", "-created_at", "-id"], name="registration_newest"),
            models.Index(
                fields=["tenant", "partner", "-created_at", "-id"],
                name="registration_partner_newest",
            ),
            models.Index(
                fields=["tenant", "submitted_at", "id"],
                condition=Q(status__in=["submitted", "more_info"]),
                name="registration_awaiting",
            ),
            # expiry sweep: approved registrations by protection end
            models.Index(
                fields=["tenant", "protected_until"],
                condition=Q(status="approved"),
                name="registration_expiry",
            ),
        ]
        constraints = [
            # the approval queue pages by submission time
            models.CheckConstraint(
                condition=~Q(status__in=["submitted", "more_info"]) | Q(submitted_at__isnull=False),
                name="registration_awaiting_was_submitted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_name} ({self.partner_id})"

    def save(self, *args, **kwargs):
        # Awaiting a decision means submitted at some time (a constraint says so).
        if self.status in ("submitted", "more_info") and self.submitted_at is None:
            self.submitted_at = timezone.now()
        super().save(*args, **kwargs)


class DealProduct(TenantOwned):
    registration = models.ForeignKey(
        DealRegistration, on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("registered product")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "registration", "product"], name="deal_product_once"
            ),
        ]


class DealProtection(TenantOwned):
    """One protected (customer, product) pair.  The unique constraint is what makes
    two concurrent approvals for the same customer and product impossible: the
    second insert fails and its transaction rolls back."""

    registration = models.ForeignKey(
        DealRegistration, on_delete=models.CASCADE, related_name="protections"
    )
    customer_key = models.CharField(max_length=253)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("deal protection")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "customer_key", "product"],
                name="one_protection_per_customer_product",
            ),
        ]


class DealTransition(TenantOwned):
    registration = models.ForeignKey(
        DealRegistration, on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(max_length=12, choices=RegistrationStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=RegistrationStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("registration status change")
        ordering = ["created_at", "id"]


class DealConflict(TenantOwned):
    """A competing record found when a registration was submitted."""

    class Match(models.TextChoices):
        DOMAIN = "domain", _("Same domain")
        NAME = "name", _("Similar name")

    registration = models.ForeignKey(
        DealRegistration, on_delete=models.CASCADE, related_name="conflicts"
    )
    other_registration = models.ForeignKey(
        DealRegistration, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    direct_account = models.ForeignKey(
        DirectAccount, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    match = models.CharField(max_length=8, choices=Match.choices)
    similarity = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("registration conflict")
        indexes = [models.Index(fields=["tenant", "-found_at", "-id"], name="conflict_newest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(other_registration__isnull=False, direct_account__isnull=True)
                | Q(other_registration__isnull=True, direct_account__isnull=False),
                name="conflict_has_one_counterpart",
            ),
        ]


class Activity(TenantOwned):
    """Customer interaction history on a registration or a lead, shared by partner and vendor."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        DOCUMENT = "document", _("Document")

    registration = models.ForeignKey(
        DealRegistration, on_delete=models.CASCADE, null=True, blank=True, related_name="activities"
    )
    lead = models.ForeignKey(
        "deals.Lead", on_delete=models.CASCADE, null=True, blank=True, related_name="activities"
    )
    # The partner whose record this is, for partner-level visibility.
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    body = models.TextField(_("details"), blank=True)
    attachment = models.FileField(_("document"), upload_to="tenants/activities/", blank=True)
    # Read from the document's content when it was uploaded; it is served with it.
    attachment_type = models.CharField(_("document type"), max_length=100, blank=True)
    occurred_at = models.DateTimeField(_("when"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(registration__isnull=False, lead__isnull=True)
                | Q(registration__isnull=True, lead__isnull=False),
                name="activity_on_one_record",
            ),
        ]


class RevenueLine(TenantOwned):
    """Won revenue per product line: what the incentives engine reads.  Every line
    points to its source: the won registration, or an imported order."""

    class Source(models.TextChoices):
        REGISTRATION = "registration", _("Reported with the won registration")
        ORDER_IMPORT = "order_import", _("Imported order")
        REVERSAL = "reversal", _("Reversal (credit note or correction)")

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="revenue_lines"
    )
    registration = models.ForeignKey(
        DealRegistration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revenue_lines",
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    closed_on = models.DateField(_("closed on"))
    source = models.CharField(max_length=14, choices=Source.choices)
    order_ref = models.CharField(_("order reference"), max_length=100, blank=True)
    # A reversal takes back (part of) an earlier line: a negative amount.
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("revenue line")
        indexes = [
            models.Index(fields=["tenant", "partner", "closed_on"], name="revenue_partner_period")
        ]
        constraints = [
            # Only a reversal is negative, and it names the line it takes back.
            models.CheckConstraint(
                condition=Q(amount__gte=0, reverses__isnull=True)
                | Q(source="reversal", amount__lt=0, reverses__isnull=False),
                name="revenue_negative_only_as_reversal",
            ),
            # An imported order line is recorded once.
            models.UniqueConstraint(
                fields=["tenant", "order_ref", "product"],
                condition=Q(source="order_import"),
                name="revenue_order_line_once",
            ),
            # An imported credit note line is recorded once, too.
            models.UniqueConstraint(
                fields=["tenant", "order_ref", "product"],
                condition=Q(source="reversal") & ~Q(order_ref=""),
                name="revenue_credit_note_line_once",
            ),
        ]
