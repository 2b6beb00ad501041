"""Global tables (tenants, users) and the tenancy core's tenant-owned tables."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models_base import TenantOwned, TimeStamped
from .roles import PARTNER_ROLES, VENDOR_ROLES, Role

currency_validator = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code."))


class Tenant(TimeStamped):
    """A vendor running its own partner program. Global table."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("URL name"), max_length=60, unique=True)
    default_currency = models.CharField(
        _("default currency"), max_length=3, default="USD", validators=[currency_validator]
    )
    locale = models.CharField(_("locale"), max_length=10, default="en")
    require_mfa_for_vendor_roles = models.BooleanField(
        _("require two-factor authentication for vendor staff"), default=False
    )
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person; global, because one login can work with several vendors."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("operator"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Membership(TenantOwned, TimeStamped):
    """A user's place in one tenant: a vendor role, or a role in one partner
    organisation.  Which organisation is kept by the partners app
    (``partners.PartnerMembership``): the core knows roles, not partners."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_one_per_tenant"),
        ]
        indexes = [
            # tenant switcher: a user's memberships across tenants
            models.Index(fields=["user", "tenant"], name="membership_user_tenant"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    @property
    def is_vendor(self) -> bool:
        return self.role in VENDOR_ROLES

    @property
    def is_partner(self) -> bool:
        return self.role in PARTNER_ROLES


class Invitation(TenantOwned, TimeStamped):
    """An e-mailed, signed, expiring offer to join a tenant with a role. Usable once.
    An invitation to a partner role is bound to its organisation by the partners
    app (``partners.PartnerInvitation``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invited by")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_count = models.PositiveIntegerField(_("times sent"), default=0)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "email"],
                condition=Q(status="pending"),
                name="invitation_one_pending_per_email",
            ),
        ]
        indexes = [
            # expiry sweep: pending invitations by expiry per tenant
            models.Index(fields=["tenant", "status", "expires_at"], name="invitation_sweep"),
        ]

    def __str__(self) -> str:
        return self.email


class AuditEvent(TenantOwned):
    """Who did what to which row, written by services in the same transaction."""

    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=64)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.BigIntegerField(_("target id"), null=True, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            # activity timelines: newest events of one target
            models.Index(
                fields=["tenant", "target_type", "target_id", "-created_at"],
                name="audit_target_timeline",
            ),
        ]


class OutboxMessage(TenantOwned):
    """A side effect of a committed action (an e-mail, a follow-up task),
    written in the action's transaction and delivered by a worker.

    It is published to the broker once the transaction commits; what could not
    be published (the broker was down) is published by the periodic sweep.  The
    task claims the row before it acts, so a message published twice is
    delivered once."""

    task_name = models.CharField(_("task"), max_length=100)
    args = models.JSONField(_("arguments"), default=list)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            # the sweep: undelivered messages of a tenant, oldest first
            models.Index(
                fields=["tenant", "created_at"],
                condition=Q(delivered_at__isnull=True),
                name="outbox_undelivered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk}"


class SubmittedForm(TenantOwned):
    """A create form that was already carried out: its one-time key and what it
    created, so a double submit (two clicks, a resent request) creates one row."""

    key = models.UUIDField(_("key"))
    target_type = models.CharField(_("target type"), max_length=64)
    target_id = models.BigIntegerField(_("target id"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("submitted form")
        verbose_name_plural = _("submitted forms")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="submitted_form_once"),
        ]


class ExportJob(TenantOwned):
    """A list export asked for by one person and written to a file by a worker,
    so no web worker is held while thousands of rows are read.  The file is
    kept for ``prm.exports.KEEP_FOR`` and served only to the person who asked."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("list"), max_length=64)
    filters = models.JSONField(_("filters"), default=dict)
    requested_by = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("asked for by")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows_written = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to="tenants/exports/", blank=True)
    size_bytes = models.PositiveBigIntegerField(_("size"), default=0)
    error = models.CharField(_("problem"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("asked for"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        constraints = [
            # A double click, or asking again while it is being prepared, is one export.
            models.UniqueConstraint(
                fields=["tenant", "requested_by", "kind", "filters"],
                condition=Q(status="queued"),
                name="export_once_while_queued",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "requested_by", "-created_at"], name="export_of_person"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} export #{self.pk}"

    @property
    def is_being_prepared(self) -> bool:
        return self.status == self.Status.QUEUED

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file)

    @property
    def has_failed(self) -> bool:
        return self.status == self.Status.FAILED


class EmailChoice(models.TextChoices):
    """How a person wants to hear of one kind of notification by e-mail (the
    in-app inbox always has it)."""

    IMMEDIATE = "immediate", _("E-mail at once")
    DIGEST = "digest", _("In the daily digest")
    NONE = "none", _("Only in the inbox")


class Notification(TenantOwned):
    """Something that happened which one person should know of: one row per
    recipient, kind and event (``event`` names what happened, e.g.
    ``registration:42:approved``), so notifying twice of one event is one
    notification.  The words are rendered when read, in the reader's language,
    from the kind's registered texts and ``params``."""

    recipient = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=64)
    event = models.CharField(_("event"), max_length=200)
    params = models.JSONField(_("details"), default=dict, blank=True)
    link_name = models.CharField(_("page"), max_length=64, blank=True)
    link_params = models.JSONField(_("page details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Decided when created, from the recipient's preference for the kind.
    email = models.CharField(
        _("e-mail"), max_length=10, choices=EmailChoice.choices, default=EmailChoice.IMMEDIATE
    )
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "recipient", "kind", "event"], name="notification_once"
            ),
        ]
        indexes = [
            # the inbox, newest first (keyset on created_at, id)
            models.Index(
                fields=["tenant", "recipient", "-created_at", "-id"], name="notification_inbox"
            ),
            # the unread count
            models.Index(
                fields=["tenant", "recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            # the daily digest: what is still to be e-mailed
            models.Index(
                fields=["tenant", "recipient"],
                condition=Q(email="digest", emailed_at__isnull=True),
                name="notification_digest_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class NotificationPreference(TenantOwned):
    """One person's e-mail choice for one kind of notification; without a row
    the kind's default applies."""

    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=64)
    email = models.CharField(_("e-mail"), max_length=10, choices=EmailChoice.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "membership", "kind"], name="notification_preference_once"
            ),
        ]
