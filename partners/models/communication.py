"""Announcements, surveys and the ideas box."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.models_base import TenantOwned, TimeStamped

from .organisations import Partner


class Audience(models.Model):
    """Targeting shared by announcements and surveys: empty lists mean everyone."""

    target_tier_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    target_types = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    target_regions = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    target_segments = ArrayField(models.CharField(max_length=20), default=list, blank=True)

    class Meta:
        abstract = True


class Announcement(TenantOwned, TimeStamped, Audience):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    pinned = models.BooleanField(_("pinned"), default=False)
    send_email = models.BooleanField(_("also send by e-mail"), default=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Set once when the e-mail fan-out is claimed, so it is sent at most once.
    emailed_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("announcement")
        ordering = ["-pinned", "-published_at"]

    def __str__(self) -> str:
        return self.title


class AnnouncementRead(TenantOwned):
    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("announcement read")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "announcement", "user"], name="announcement_read_once"
            ),
        ]


class Survey(TenantOwned, TimeStamped, Audience):
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    is_open = models.BooleanField(_("open for answers"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("survey")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(TenantOwned):
    class Kind(models.TextChoices):
        NPS = "nps", _("Net promoter score (0–10)")
        RATING = "rating", _("Rating (1–5)")
        CHOICE = "choice", _("One of a list")
        TEXT = "text", _("Free text")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    choices = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("survey question")
        ordering = ["position", "id"]


class SurveyResponse(TenantOwned):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey response")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "survey", "user"], name="survey_response_once"
            ),
        ]


class SurveyAnswer(TenantOwned):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="+")
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("survey answer")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "response", "question"], name="survey_answer_once"
            ),
        ]


class Idea(TenantOwned, TimeStamped):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        UNDER_REVIEW = "under_review", _("Under review")
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        DECLINED = "declined", _("Declined")

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="ideas")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("details"))
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.NEW
    )
    vendor_response = models.TextField(_("vendor's answer"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("idea")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["tenant", "partner", "-created_at"], name="idea_partner_recent")
        ]

    def __str__(self) -> str:
        return self.title
