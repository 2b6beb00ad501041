"""Read queries of surveys: the console's list, a partner's open surveys, and
the results overall and per segment (NPS, averages, tallies)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from prm.models import Membership

from ..models import (
    Segment,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from .audience import audience_includes_partner, count_of, targeted_people_count, vendor_only
from .people import partner_of


def survey_list_console(*, membership: Membership) -> QuerySet[Survey]:
    vendor_only(membership)
    return Survey.objects.annotate(
        response_count=count_of(SurveyResponse.objects.all(), "survey"),
        question_count=count_of(SurveyQuestion.objects.all(), "survey"),
        targeted_count=targeted_people_count(),
    ).order_by("-created_at", "-pk")


def survey_get_console(*, membership: Membership, survey_id: int) -> Survey:
    survey = survey_list_console(membership=membership).filter(pk=survey_id).first()
    if survey is None:
        raise Http404
    return survey


def survey_question_get(*, survey: Survey, question_id: int) -> SurveyQuestion:
    question = SurveyQuestion.objects.filter(survey=survey, pk=question_id).first()
    if question is None:
        raise Http404
    return question


def surveys_for_partner(*, membership: Membership) -> QuerySet[Survey]:
    """Open surveys addressed to the member's partner (answered or not)."""
    if not membership.is_partner:
        raise Http404
    return (
        Survey.objects.filter(audience_includes_partner(partner_of(membership)), is_open=True)
        .annotate(
            answered=Exists(
                SurveyResponse.objects.filter(survey=OuterRef("pk"), user_id=membership.user_id)
            )
        )
        .order_by("-created_at", "-pk")
    )


def surveys_to_answer(*, membership: Membership) -> QuerySet[Survey]:
    return surveys_for_partner(membership=membership).filter(answered=False)


def survey_get_for_partner(*, membership: Membership, survey_id: int) -> Survey:
    """The same 404 for missing, closed and addressed-elsewhere surveys."""
    survey = surveys_for_partner(membership=membership).filter(pk=survey_id).first()
    if survey is None:
        raise Http404
    return survey


NPS_PROMOTER_MIN = 9
NPS_DETRACTOR_MAX = 6
ONE_DECIMAL = Decimal("0.1")
TWO_DECIMALS = Decimal("0.01")


def nps_score(*, promoters: int, detractors: int, answers: int) -> Decimal | None:
    """Promoters (9–10) minus detractors (0–6) as a percentage of all answers,
    rounded half-up to one decimal; None without answers."""
    if not answers:
        return None
    return (Decimal(promoters - detractors) * 100 / Decimal(answers)).quantize(
        ONE_DECIMAL, rounding=ROUND_HALF_UP
    )


def average(*, total: int, answers: int) -> Decimal | None:
    if not answers:
        return None
    return (Decimal(total) / Decimal(answers)).quantize(TWO_DECIMALS, rounding=ROUND_HALF_UP)


@dataclass
class Tally:
    answers: int = 0
    total: int = 0
    promoters: int = 0
    detractors: int = 0

    def add(self, other: Tally) -> None:
        self.answers += other.answers
        self.total += other.total
        self.promoters += other.promoters
        self.detractors += other.detractors

    @property
    def nps(self) -> Decimal | None:
        return nps_score(promoters=self.promoters, detractors=self.detractors, answers=self.answers)

    @property
    def average(self) -> Decimal | None:
        return average(total=self.total, answers=self.answers)


@dataclass
class QuestionResult:
    question: SurveyQuestion
    overall: Tally = field(default_factory=Tally)
    by_segment: list[tuple[str, Tally]] = field(default_factory=list)
    choice_counts: list[tuple[str, int]] = field(default_factory=list)
    text_answers: list[SurveyAnswer] = field(default_factory=list)

    @property
    def answer_count(self) -> int:
        if self.question.kind == SurveyQuestion.Kind.CHOICE:
            return sum(n for _option, n in self.choice_counts)
        if self.question.kind == SurveyQuestion.Kind.TEXT:
            return len(self.text_answers)
        return self.overall.answers


@dataclass
class SurveyResults:
    survey: Survey
    responses: int
    questions: list[QuestionResult]


def _segment_label(value: str) -> str:
    return str(Segment(value).label) if value in Segment.values else str(_("No segment"))


def survey_results(*, membership: Membership, survey: Survey) -> SurveyResults:
    """Results for the vendor: per question NPS / average overall and per partner
    segment, choice counts and text answers with who gave them.  A fixed number
    of aggregate queries, whatever the number of answers."""
    vendor_only(membership)
    questions = list(SurveyQuestion.objects.filter(survey=survey))
    results = {q.pk: QuestionResult(question=q) for q in questions}
    answers = SurveyAnswer.objects.filter(response__survey=survey)
    numeric = (
        answers.filter(number__isnull=False, question__kind__in=["nps", "rating"])
        .order_by()
        .values("question_id", "response__partner__segment")
        .annotate(
            answers=Count("pk"),
            total=Sum("number"),
            promoters=Count("pk", filter=Q(number__gte=NPS_PROMOTER_MIN)),
            detractors=Count("pk", filter=Q(number__lte=NPS_DETRACTOR_MAX)),
        )
        .order_by("question_id", "response__partner__segment")
    )
    for row in numeric:
        tally = Tally(row["answers"], row["total"], row["promoters"], row["detractors"])
        result = results[row["question_id"]]
        result.overall.add(tally)
        result.by_segment.append((_segment_label(row["response__partner__segment"]), tally))
    choices = (
        answers.filter(question__kind="choice")
        .exclude(text="")
        .order_by()
        .values("question_id", "text")
        .annotate(n=Count("pk"))
    )
    counted = {(row["question_id"], row["text"]): row["n"] for row in choices}
    for result in results.values():
        if result.question.kind == "choice":
            result.choice_counts = [
                (option, counted.get((result.question.pk, option), 0))
                for option in result.question.choices
            ]
    texts = (
        answers.filter(question__kind="text")
        .exclude(text="")
        .select_related("response__partner", "response__user")
        .order_by("response__submitted_at", "pk")
    )
    for answer in texts:
        results[answer.question_id].text_answers.append(answer)
    return SurveyResults(
        survey=survey,
        responses=SurveyResponse.objects.filter(survey=survey).count(),
        questions=[results[q.pk] for q in questions],
    )
