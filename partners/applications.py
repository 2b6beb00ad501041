"""Partner applications as pure rules: checking the answers to the
qualification questions, and scoring an application against the vendor's
weighted ideal-partner criteria (shown to the reviewer, never used to decide
on its own)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import IdealPartnerCriterion, PartnerApplication, QualificationQuestion

YES, NO = "yes", "no"


def answers_clean(*, questions: list[QualificationQuestion], raw: dict[str, str]) -> dict:
    """Validate answers to the active questions; returns {question_id: answer}.

    Raises a ValidationError keyed ``q<id>`` for each bad answer."""
    answers, errors = {}, {}
    for question in questions:
        value = (raw.get(str(question.pk)) or "").strip()
        if not value:
            if question.required:
                errors[f"q{question.pk}"] = _("This question needs an answer.")
            continue
        kind = question.kind
        if kind == QualificationQuestion.Kind.YES_NO and value not in (YES, NO):
            errors[f"q{question.pk}"] = _("Answer yes or no.")
        elif kind == QualificationQuestion.Kind.CHOICE and value not in question.choices:
            errors[f"q{question.pk}"] = _("Choose one of the options.")
        elif kind == QualificationQuestion.Kind.NUMBER:
            try:
                value = str(Decimal(value.replace(",", ".")))
            except InvalidOperation:
                errors[f"q{question.pk}"] = _("Enter a number.")
        answers[str(question.pk)] = value
    if errors:
        raise ValidationError(errors)
    return answers


def _criterion_met(criterion: IdealPartnerCriterion, application: PartnerApplication) -> bool:
    wanted = {v.strip().lower() for v in criterion.values}
    field = IdealPartnerCriterion.Field
    if criterion.field == field.COUNTRY:
        return application.country.lower() in wanted
    if criterion.field == field.PARTNER_TYPE:
        return application.partner_type.lower() in wanted
    if criterion.field == field.INDUSTRY:
        return bool(wanted & {v.lower() for v in application.industries})
    if criterion.field == field.REGION:
        return bool(wanted & {v.lower() for v in application.regions})
    answer = application.answers.get(str(criterion.question_id), "")
    if criterion.minimum is not None:
        try:
            return Decimal(answer) >= criterion.minimum
        except InvalidOperation:
            return False
    return answer.strip().lower() in wanted


def application_score(
    *, application: PartnerApplication, criteria: list[IdealPartnerCriterion]
) -> tuple[Decimal, list[dict]]:
    """Met weight over total weight, 0–100, rounded half-up to one decimal."""
    total = sum(c.weight for c in criteria)
    details = [
        {"criterion": c.name, "weight": c.weight, "met": _criterion_met(c, application)}
        for c in criteria
    ]
    if not total:
        return Decimal("0.0"), details
    met = sum(d["weight"] for d in details if d["met"])
    score = (Decimal(met) * 100 / Decimal(total)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return score, details
