"""Reads for the application review queue and the recruitment settings."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from ..models import IdealPartnerCriterion, PartnerApplication, QualificationQuestion

QUEUE_ORDER = {
    "score": ["-score", "-created_at"],
    "newest": ["-created_at"],
    "oldest": ["created_at"],
}


@dataclass(frozen=True)
class ApplicationFilters:
    """Which applications the review queue lists (any status if not one of the
    statuses), and in which order (``QUEUE_ORDER``)."""

    status: str = "pending"
    order: str = "score"


def application_queue(
    *, filters: ApplicationFilters = ApplicationFilters()
) -> QuerySet[PartnerApplication]:
    applications = PartnerApplication.objects.select_related("reviewed_by", "partner")
    if filters.status in PartnerApplication.Status.values:
        applications = applications.filter(status=filters.status)
    return applications.order_by(*QUEUE_ORDER.get(filters.order, QUEUE_ORDER["score"]))


def application_get(*, application_id: int) -> PartnerApplication:
    application = PartnerApplication.objects.filter(pk=application_id).first()
    if application is None:
        raise Http404
    return application


def questions_active() -> list[QualificationQuestion]:
    return list(QualificationQuestion.objects.filter(is_active=True))


def answers_for_display(*, application: PartnerApplication) -> list[tuple[str, str]]:
    questions = {str(q.pk): q.text for q in QualificationQuestion.objects.all()}
    return [(questions.get(qid, "?"), answer) for qid, answer in application.answers.items()]


def question_get(*, question_id: int) -> QualificationQuestion:
    question = QualificationQuestion.objects.filter(pk=question_id).first()
    if question is None:
        raise Http404
    return question


def criterion_get(*, criterion_id: int) -> IdealPartnerCriterion:
    criterion = IdealPartnerCriterion.objects.filter(pk=criterion_id).first()
    if criterion is None:
        raise Http404
    return criterion


def questions_all() -> QuerySet[QualificationQuestion]:
    return QualificationQuestion.objects.all()


def criteria_all() -> QuerySet[IdealPartnerCriterion]:
    return IdealPartnerCriterion.objects.select_related("question")
