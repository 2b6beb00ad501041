"""Recruitment: the public application, qualification questions, ideal-partner criteria."""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from prm.models_base import TenantOwned, TimeStamped

from .organisations import Partner


class QualificationQuestion(TenantOwned):
    class Kind(models.TextChoices):
        TEXT = "text", _("Free text")
        YES_NO = "yes_no", _("Yes / no")
        CHOICE = "choice", _("One of a list")
        NUMBER = "number", _("Number")

    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("answer type"), max_length=10, choices=Kind.choices)
    choices = ArrayField(
        models.CharField(max_length=100), default=list, blank=True, verbose_name=_("choices")
    )
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("qualification question")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class IdealPartnerCriterion(TenantOwned):
    """One weighted criterion of the vendor's ideal partner profile.

    An application meets it when the named application field (or the answer to
    ``question``) matches one of ``values``, or for numbers is at least
    ``minimum``.  The score is the met weight over the total weight, 0–100.
    """

    class Field(models.TextChoices):
        COUNTRY = "country", _("Country")
        PARTNER_TYPE = "partner_type", _("Partner type")
        INDUSTRY = "industry", _("Industry")
        REGION = "region", _("Region served")
        ANSWER = "answer", _("Answer to a question")

    name = models.CharField(_("name"), max_length=150)
    field = models.CharField(_("looks at"), max_length=20, choices=Field.choices)
    question = models.ForeignKey(
        QualificationQuestion,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="criteria",
        verbose_name=_("question"),
    )
    values = ArrayField(
        models.CharField(max_length=100),
        default=list,
        blank=True,
        verbose_name=_("matching values"),
    )
    minimum = models.DecimalField(
        _("at least"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("ideal-partner criterion")
        verbose_name_plural = _("ideal-partner criteria")
        constraints = [
            models.CheckConstraint(
                condition=Q(field="answer", question__isnull=False)
                | (~Q(field="answer") & Q(question__isnull=True)),
                name="criterion_question_iff_answer",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PartnerApplication(TenantOwned, TimeStamped):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    company_name = models.CharField(_("company name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    website = models.URLField(_("website"))
    email_domain = models.CharField(_("e-mail domain"), max_length=253)
    country = models.CharField(_("country"), max_length=2)
    regions = ArrayField(
        models.CharField(max_length=60), default=list, blank=True, verbose_name=_("regions served")
    )
    industries = ArrayField(
        models.CharField(max_length=60), default=list, blank=True, verbose_name=_("industries")
    )
    partner_type = models.CharField(_("partner type"), max_length=40)
    contact_name = models.CharField(_("contact name"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    score = models.DecimalField(
        _("fit score"), max_digits=5, decimal_places=1, default=Decimal("0")
    )
    score_details = models.JSONField(default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    partner = models.OneToOneField(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="application"
    )
    submitted_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("partner application")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["tenant", "status", "-created_at"], name="application_queue")
        ]

    def __str__(self) -> str:
        return self.company_name
