"""Partner communication: announcements, surveys and the ideas box.

Announcements and surveys are addressed to an audience (tiers, partner types,
regions, segments; an empty list means everyone) that the selectors match in
SQL.  An announcement published with ``send_email`` is e-mailed once: the
fan-out task claims it with a compare-and-swap on ``emailed_at``.  A person
answers a survey once (a unique constraint backs the check).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.audit import audit_record
from prm.enqueue import enqueue_after_commit
from prm.models import Membership, Tenant

from ..models import (
    Announcement,
    AnnouncementRead,
    Idea,
    Segment,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    Tier,
)
from ..selectors.communication import audience_members
from ..types import partner_type_choices

REGION_MAX_LENGTH = 60
CHOICE_MAX_LENGTH = 100
Kind = SurveyQuestion.Kind
NUMBER_RANGES = {Kind.NPS: (0, 10), Kind.RATING: (1, 5)}


@dataclass(frozen=True)
class Audience:
    """Who an announcement or survey is for; empty lists mean everyone."""

    tier_ids: tuple[int, ...] = ()
    types: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()

    def as_fields(self) -> dict[str, list]:
        return {
            "target_tier_ids": list(self.tier_ids),
            "target_types": list(self.types),
            "target_regions": list(self.regions),
            "target_segments": list(self.segments),
        }


def _unique(values: Iterable) -> tuple:
    return tuple(dict.fromkeys(values))


def audience_clean(
    *,
    tier_ids: Iterable[int] = (),
    types: Iterable[str] = (),
    regions: Iterable[str] = (),
    segments: Iterable[str] = (),
) -> Audience:
    """Check every target against the current tenant: tiers must be its own,
    types known to it, segments the built-in ones; regions are trimmed."""
    errors: dict[str, str] = {}
    tier_ids = _unique(int(t) for t in tier_ids)
    if tier_ids and Tier.objects.filter(pk__in=tier_ids).count() != len(tier_ids):
        errors["target_tier_ids"] = _("Choose tiers of this program.")
    types = _unique(types)
    if set(types) - {key for key, _label in partner_type_choices()}:
        errors["target_types"] = _("Unknown partner type.")
    regions = _unique(r.strip() for r in regions if r.strip())
    if any(len(r) > REGION_MAX_LENGTH for r in regions):
        errors["target_regions"] = _("A region name has at most %(n)d characters.") % {
            "n": REGION_MAX_LENGTH
        }
    segments = _unique(segments)
    if set(segments) - set(Segment.values):
        errors["target_segments"] = _("Unknown segment.")
    if errors:
        raise ValidationError(errors)
    return Audience(tier_ids=tier_ids, types=types, regions=regions, segments=segments)


def _require_text(errors: dict, name: str, value: str, message: str) -> str:
    value = value.strip()
    if not value:
        errors[name] = message
    return value


# --- announcements ---------------------------------------------------------------


def _announcement_fields(*, title: str, body: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    fields = {
        "title": _require_text(errors, "title", title, _("Give the announcement a title.")),
        "body": _require_text(errors, "body", body, _("Write the announcement.")),
    }
    if errors:
        raise ValidationError(errors)
    return fields


def _email_after_commit(announcement: Announcement) -> None:
    """Enqueue the fan-out once the transaction commits; the task itself makes
    sure the announcement is e-mailed at most once."""
    if not (announcement.send_email and announcement.published_at and not announcement.emailed_at):
        return
    enqueue_after_commit("partners.announcement_email", announcement.tenant_id, announcement.pk)


def announcement_create(
    *,
    by: Membership,
    title: str,
    body: str,
    audience: Audience,
    pinned: bool = False,
    send_email: bool = False,
) -> Announcement:
    """A draft announcement; partners see it once it is published."""
    fields = _announcement_fields(title=title, body=body)
    with transaction.atomic():
        announcement = Announcement.objects.create(
            **fields,
            **audience.as_fields(),
            pinned=pinned,
            send_email=send_email,
            author=by.user,
        )
        audit_record(actor=by.user, action="announcement.created", target=announcement)
    return announcement


def announcement_update(
    *,
    announcement: Announcement,
    by: Membership,
    title: str,
    body: str,
    audience: Audience,
    pinned: bool,
    send_email: bool,
) -> Announcement:
    """Edit an announcement; asking for e-mail on one already published sends it
    (once) as well."""
    fields = _announcement_fields(title=title, body=body)
    with transaction.atomic():
        for name, value in {**fields, **audience.as_fields()}.items():
            setattr(announcement, name, value)
        announcement.pinned, announcement.send_email = pinned, send_email
        announcement.save()
        audit_record(actor=by.user, action="announcement.updated", target=announcement)
        _email_after_commit(announcement)
    return announcement


def announcement_publish(*, announcement: Announcement, by: Membership) -> Announcement:
    """Make the announcement visible to its audience; with ``send_email`` the
    e-mail fan-out is enqueued after commit."""
    with transaction.atomic():
        now = timezone.now()
        changed = Announcement.objects.filter(pk=announcement.pk, published_at__isnull=True).update(
            published_at=now
        )
        if not changed:
            raise ValidationError(_("This announcement is already published."))
        announcement.refresh_from_db()
        audit_record(actor=by.user, action="announcement.published", target=announcement)
        _email_after_commit(announcement)
    return announcement


def announcement_unpublish(*, announcement: Announcement, by: Membership) -> Announcement:
    with transaction.atomic():
        changed = Announcement.objects.filter(
            pk=announcement.pk, published_at__isnull=False
        ).update(published_at=None)
        if not changed:
            raise ValidationError(_("This announcement is not published."))
        announcement.published_at = None
        audit_record(actor=by.user, action="announcement.unpublished", target=announcement)
    return announcement


def announcement_mark_read(*, announcement: Announcement, membership: Membership) -> None:
    """Record that this person opened the announcement; repeating it changes nothing."""
    AnnouncementRead.objects.get_or_create(
        announcement=announcement,
        user_id=membership.user_id,
        defaults={"partner_id": membership.partner_id},
    )


def announcement_send_emails(*, announcement_id: int) -> int:
    """E-mail a published announcement to every active person of the partners in
    its audience, one message per recipient.  The fan-out is claimed first with
    ``UPDATE … SET emailed_at = now() WHERE emailed_at IS NULL``; only the caller
    that changed the row sends, so repeated or concurrent runs send one batch.
    Returns the number of messages sent."""
    claimed = Announcement.objects.filter(
        pk=announcement_id,
        emailed_at__isnull=True,
        published_at__isnull=False,
        send_email=True,
    ).update(emailed_at=timezone.now())
    if claimed != 1:
        return 0
    announcement = Announcement.objects.get(pk=announcement_id)
    tenant = Tenant.objects.get(pk=announcement.tenant_id)
    recipients = sorted(set(audience_members(announcement).values_list("user__email", flat=True)))
    path = reverse(
        "portal:announcement",
        kwargs={"tenant_slug": tenant.slug, "announcement_id": announcement.pk},
    )
    context = {
        "tenant": tenant,
        "announcement": announcement,
        "url": settings.SITE_URL.rstrip("/") + path,
    }
    subject = render_to_string("emails/announcement_subject.txt", context).strip()
    body = render_to_string("emails/announcement.txt", context)
    messages = [EmailMessage(subject=subject, body=body, to=[email]) for email in recipients]
    sent = get_connection().send_messages(messages) if messages else 0
    audit_record(
        actor=None, action="announcement.emailed", target=announcement, recipients=len(messages)
    )
    return sent or 0


# --- surveys -------------------------------------------------------------------


def _survey_fields(*, title: str, introduction: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    fields = {
        "title": _require_text(errors, "title", title, _("Give the survey a title.")),
        "introduction": introduction.strip(),
    }
    if errors:
        raise ValidationError(errors)
    return fields


def survey_create(*, by: Membership, title: str, introduction: str, audience: Audience) -> Survey:
    """A closed survey; it opens once it has questions."""
    fields = _survey_fields(title=title, introduction=introduction)
    with transaction.atomic():
        survey = Survey.objects.create(**fields, **audience.as_fields(), author=by.user)
        audit_record(actor=by.user, action="survey.created", target=survey)
    return survey


def survey_update(
    *, survey: Survey, by: Membership, title: str, introduction: str, audience: Audience
) -> Survey:
    fields = _survey_fields(title=title, introduction=introduction)
    with transaction.atomic():
        for name, value in {**fields, **audience.as_fields()}.items():
            setattr(survey, name, value)
        survey.save()
        audit_record(actor=by.user, action="survey.updated", target=survey)
    return survey


def survey_set_open(*, survey: Survey, by: Membership, is_open: bool) -> Survey:
    """Open a survey for answers (it needs at least one question) or close it."""
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if is_open and not SurveyQuestion.objects.filter(survey=locked).exists():
            raise ValidationError(_("Add at least one question before opening the survey."))
        if locked.is_open == is_open:
            raise ValidationError(
                _("The survey is already open.") if is_open else _("The survey is already closed.")
            )
        Survey.objects.filter(pk=survey.pk).update(is_open=is_open)
        survey.is_open = is_open
        audit_record(
            actor=by.user, action="survey.opened" if is_open else "survey.closed", target=survey
        )
    return survey


def _lock_unanswered(survey: Survey) -> None:
    """Questions change only while nobody has answered; the row lock keeps a
    first answer from slipping in between the check and the change."""
    Survey.objects.select_for_update().get(pk=survey.pk)
    if SurveyResponse.objects.filter(survey=survey).exists():
        raise ValidationError(_("Questions cannot change once the survey has responses."))


def _question_fields(
    *, text: str, kind: str, choices: Iterable[str], required: bool, position: int | None
) -> dict:
    errors: dict[str, str] = {}
    text = _require_text(errors, "text", text, _("Write the question."))
    if kind not in Kind.values:
        errors["kind"] = _("Choose a question type.")
    options = list(_unique(c.strip() for c in choices if c.strip()))
    if kind == Kind.CHOICE:
        if len(options) < 2:
            errors["choices"] = _("Give at least two options.")
        elif any(len(c) > CHOICE_MAX_LENGTH for c in options):
            errors["choices"] = _("An option has at most %(n)d characters.") % {
                "n": CHOICE_MAX_LENGTH
            }
    else:
        options = []
    if position is not None and position < 0:
        errors["position"] = _("The position cannot be negative.")
    if errors:
        raise ValidationError(errors)
    return {"text": text, "kind": kind, "choices": options, "required": required}


def survey_question_add(
    *,
    survey: Survey,
    by: Membership,
    text: str,
    kind: str,
    choices: Iterable[str] = (),
    required: bool = True,
    position: int | None = None,
) -> SurveyQuestion:
    """Add a question (at the end unless a position is given)."""
    fields = _question_fields(
        text=text, kind=kind, choices=choices, required=required, position=position
    )
    with transaction.atomic():
        _lock_unanswered(survey)
        if position is None:
            last = SurveyQuestion.objects.filter(survey=survey).aggregate(m=Max("position"))["m"]
            position = 0 if last is None else last + 1
        question = SurveyQuestion.objects.create(survey=survey, position=position, **fields)
        audit_record(actor=by.user, action="survey.question_added", target=question)
    return question


def survey_question_update(
    *,
    question: SurveyQuestion,
    by: Membership,
    text: str,
    kind: str,
    choices: Iterable[str],
    required: bool,
    position: int,
) -> SurveyQuestion:
    fields = _question_fields(
        text=text, kind=kind, choices=choices, required=required, position=position
    )
    with transaction.atomic():
        _lock_unanswered(question.survey)
        for name, value in {**fields, "position": position}.items():
            setattr(question, name, value)
        question.save()
        audit_record(actor=by.user, action="survey.question_updated", target=question)
    return question


def survey_question_remove(*, question: SurveyQuestion, by: Membership) -> None:
    with transaction.atomic():
        _lock_unanswered(question.survey)
        audit_record(
            actor=by.user, action="survey.question_removed", target=question, text=question.text
        )
        question.delete()


def _answer_error(question: SurveyQuestion) -> str:
    if question.kind in NUMBER_RANGES:
        low, high = NUMBER_RANGES[question.kind]
        return _("Choose a number from %(low)d to %(high)d.") % {"low": low, "high": high}
    return _("Choose one of the options.")


def _as_int(raw: str) -> int | None:
    try:
        return int(raw)
    except ValueError:
        return None


def _clean_answers(
    questions: list[SurveyQuestion], answers: Mapping[int, object]
) -> list[SurveyAnswer]:
    """Every answer checked against its question: required ones present, numbers
    within range, choices among the options.  Errors are keyed ``q_<id>``."""
    errors: dict[str, str] = {}
    rows = []
    for question in questions:
        raw = answers.get(question.pk)
        raw = "" if raw is None else str(raw).strip()
        key = f"q_{question.pk}"
        if not raw:
            if question.required:
                errors[key] = _("Please answer this question.")
            continue
        if question.kind in NUMBER_RANGES:
            low, high = NUMBER_RANGES[question.kind]
            number = _as_int(raw)
            if number is None or not low <= number <= high:
                errors[key] = _answer_error(question)
                continue
            rows.append(SurveyAnswer(question=question, number=number))
        elif question.kind == Kind.CHOICE:
            if raw not in question.choices:
                errors[key] = _answer_error(question)
                continue
            rows.append(SurveyAnswer(question=question, text=raw))
        else:
            rows.append(SurveyAnswer(question=question, text=raw))
    if errors:
        raise ValidationError(errors)
    return rows


def survey_answer(
    *, survey: Survey, membership: Membership, answers: Mapping[int, object]
) -> SurveyResponse:
    """Record one person's answers to an open survey, all or nothing.  A person
    answers once: a second attempt is refused (the database enforces it too)."""
    if not membership.is_partner:
        raise ValidationError(_("Only partner people answer surveys."))
    if not survey.is_open:
        raise ValidationError(_("This survey is closed."))
    if SurveyResponse.objects.filter(survey=survey, user_id=membership.user_id).exists():
        raise ValidationError(_("You have already answered this survey."))
    questions = list(SurveyQuestion.objects.filter(survey=survey))
    rows = _clean_answers(questions, answers)
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                survey=survey, partner_id=membership.partner_id, user_id=membership.user_id
            )
            for row in rows:
                row.response = response
            SurveyAnswer.objects.bulk_create(rows)
            audit_record(actor=membership.user, action="survey.answered", target=response)
    except IntegrityError as error:
        raise ValidationError(_("You have already answered this survey.")) from error
    return response


# --- ideas ---------------------------------------------------------------------


def idea_submit(*, membership: Membership, title: str, body: str) -> Idea:
    """A partner person suggests something; it belongs to their own organisation."""
    if not membership.is_partner:
        raise ValidationError(_("Only partner people submit ideas."))
    errors: dict[str, str] = {}
    title = _require_text(errors, "title", title, _("Give your idea a title."))
    body = _require_text(errors, "body", body, _("Describe your idea."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        idea = Idea.objects.create(
            partner_id=membership.partner_id, author=membership.user, title=title, body=body
        )
        audit_record(actor=membership.user, action="idea.submitted", target=idea)
    return idea


def idea_respond(*, idea: Idea, by: Membership, status: str, vendor_response: str) -> Idea:
    """The vendor sets the idea's status and answers it; who responded and when
    is recorded each time."""
    if not by.is_vendor:
        raise ValidationError(_("Only the vendor answers ideas."))
    if status not in Idea.Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    with transaction.atomic():
        idea.status, idea.vendor_response = status, vendor_response.strip()
        idea.responded_by, idea.responded_at = by.user, timezone.now()
        idea.save()
        audit_record(actor=by.user, action="idea.responded", target=idea, status=status)
    return idea
