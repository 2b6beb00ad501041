"""Surveys: building them, opening and closing them, and answering them.  A
person answers a survey once (a unique constraint backs the check)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from prm.actions import action
from prm.audit import audit_record
from prm.models import Membership
from prm.policies import can_answer_surveys, can_communicate
from prm.text import LONG_TEXT, length_problems

from ..audience import Audience
from ..cleaning import required_text, unique_in_order
from ..models import (
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from ..selectors.people import partner_id_of

CHOICE_MAX_LENGTH = 100
Kind = SurveyQuestion.Kind
NUMBER_RANGES = {Kind.NPS: (0, 10), Kind.RATING: (1, 5)}


def _survey_fields(*, title: str, introduction: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    fields = {
        "title": required_text(errors, "title", title, _("Give the survey a title.")),
        "introduction": introduction.strip(),
    }
    errors.update(length_problems(fields, {"introduction": LONG_TEXT}))
    if errors:
        raise ValidationError(errors)
    return fields


@action(can_communicate)
def survey_create(*, by: Membership, title: str, introduction: str, audience: Audience) -> Survey:
    """A closed survey; it opens once it has questions."""
    fields = _survey_fields(title=title, introduction=introduction)
    with transaction.atomic():
        survey = Survey.objects.create(**fields, **audience.as_fields(), author=by.user)
        audit_record(actor=by.user, action="survey.created", target=survey)
    return survey


@action(can_communicate)
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


@action(can_communicate)
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
    text = required_text(errors, "text", text, _("Write the question."), limit=300)
    if kind not in Kind.values:
        errors["kind"] = _("Choose a question type.")
    options = list(unique_in_order(c.strip() for c in choices if c.strip()))
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


@action(can_communicate)
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


@action(can_communicate)
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


@action(can_communicate)
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
        elif len(raw) > LONG_TEXT:
            errors[key] = length_problems({key: raw}, {key: LONG_TEXT})[key]
        else:
            rows.append(SurveyAnswer(question=question, text=raw))
    if errors:
        raise ValidationError(errors)
    return rows


@action(can_answer_surveys)
def survey_answer(
    *, survey: Survey, by: Membership, answers: Mapping[int, object]
) -> SurveyResponse:
    """Record one person's answers to an open survey, all or nothing.  A person
    answers once: a second attempt is refused (the database enforces it too)."""
    if not survey.is_open:
        raise ValidationError(_("This survey is closed."))
    if SurveyResponse.objects.filter(survey=survey, user_id=by.user_id).exists():
        raise ValidationError(_("You have already answered this survey."))
    questions = list(SurveyQuestion.objects.filter(survey=survey))
    rows = _clean_answers(questions, answers)
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                survey=survey, partner_id=partner_id_of(by), user_id=by.user_id
            )
            for row in rows:
                row.response = response
            SurveyAnswer.objects.bulk_create(rows)
            audit_record(actor=by.user, action="survey.answered", target=response)
    except IntegrityError as error:
        raise ValidationError(_("You have already answered this survey.")) from error
    return response
