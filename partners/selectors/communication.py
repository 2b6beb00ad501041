"""Read queries of partner communication: announcements, surveys and the ideas box.

Targeting rule (announcements and surveys share it): each audience list that is
empty matches every partner; a non-empty one must contain the partner's tier,
type or segment, or share at least one region with the partner.  All lists
must match.  The rule is evaluated in SQL by ``AudienceTest`` so the same
expression serves the portal (one partner against many rows), the console's
"targeted people" counts (each row against every partner) and the e-mail
fan-out (one row against every partner).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    BigIntegerField,
    BooleanField,
    CharField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from prm.models import Membership
from prm.roles import PARTNER_ROLES

from ..models import (
    Announcement,
    AnnouncementRead,
    Idea,
    Partner,
    PartnerStatus,
    Segment,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)


class AudienceTest(Func):
    """SQL: the audience list ``targets`` is empty, or matches ``value``.

    With ``overlap`` the value is an array that must share an element with the
    list; otherwise it is a scalar that must be in the list.  A NULL value
    (a partner without tier or segment) never matches a non-empty list.
    """

    output_field = BooleanField()

    def __init__(self, targets, value, *, element: str, overlap: bool = False):
        super().__init__(targets, value)
        self.element = element
        self.overlap = overlap

    def as_sql(self, compiler, connection, **extra_context):
        targets, t_params = compiler.compile(self.source_expressions[0])
        value, v_params = compiler.compile(self.source_expressions[1])
        array = f"({targets})::{self.element}[]"
        if self.overlap:
            test, params = f"{array} && ({value})::{self.element}[]", [*t_params, *v_params]
        else:
            test, params = f"({value})::{self.element} = ANY({array})", [*v_params, *t_params]
        return f"(cardinality({array}) = 0 OR COALESCE({test}, false))", [*t_params, *params]


# (audience column, partner column, SQL element type, compare as overlap)
AUDIENCE_COLUMNS = (
    ("target_tier_ids", "tier_id", "bigint", False),
    ("target_types", "partner_type", "text", False),
    ("target_regions", "regions", "text", True),
    ("target_segments", "segment", "text", False),
)


def _audience_match(target, partner) -> Q:
    """Combine the four list tests; ``target``/``partner`` turn a column name into
    an expression on the audience row and on the partner."""
    condition = Q()
    for target_column, partner_column, element, overlap in AUDIENCE_COLUMNS:
        condition &= Q(
            AudienceTest(
                target(target_column), partner(partner_column), element=element, overlap=overlap
            )
        )
    return condition


def audience_includes_partner(partner: Partner) -> Q:
    """Filter over announcements or surveys: those whose audience includes ``partner``."""
    values = {
        "tier_id": Value(partner.tier_id, output_field=BigIntegerField()),
        "partner_type": Value(partner.partner_type, output_field=CharField()),
        "regions": Value(list(partner.regions), output_field=ArrayField(CharField())),
        "segment": Value(partner.segment or None, output_field=CharField()),
    }
    return _audience_match(F, values.__getitem__)


def _audience_value(audience, column: str):
    element = BigIntegerField() if column == "target_tier_ids" else CharField()
    return Value(list(getattr(audience, column)), output_field=ArrayField(element))


def audience_members(audience: Announcement | Survey) -> QuerySet[Membership]:
    """Active partner people whose organisation is in the audience (terminated
    partners excluded), each once."""
    return Membership.objects.filter(
        _audience_match(
            lambda column: _audience_value(audience, column),
            lambda column: F(f"partner__{column}"),
        ),
        role__in=sorted(PARTNER_ROLES),
        is_active=True,
        user__is_active=True,
    ).exclude(partner__status=PartnerStatus.TERMINATED)


# COUNT(*) as a plain function, so a correlated subquery gets no GROUP BY.
_SQL_COUNT = Func(Value(1), function="COUNT", output_field=IntegerField())


def _targeted_people_count() -> Subquery:
    """Correlated count of active partner people in the outer row's audience."""
    people = (
        Membership.objects.filter(
            _audience_match(OuterRef, lambda column: F(f"partner__{column}")),
            role__in=sorted(PARTNER_ROLES),
            is_active=True,
            user__is_active=True,
        )
        .exclude(partner__status=PartnerStatus.TERMINATED)
        .order_by()
        .annotate(n=_SQL_COUNT)
        .values("n")
    )
    return Subquery(people, output_field=IntegerField())


def _count_of(queryset: QuerySet, outer: str) -> Subquery:
    counted = queryset.filter(**{outer: OuterRef("pk")}).order_by().annotate(n=_SQL_COUNT)
    counted = counted.values("n")
    return Subquery(counted, output_field=IntegerField())


def _vendor_only(membership: Membership) -> None:
    if not membership.is_vendor:
        raise Http404


# --- announcements ---------------------------------------------------------------


def announcement_list_console(*, membership: Membership) -> QuerySet[Announcement]:
    """Every announcement of the tenant, drafts first, with read and audience counts."""
    _vendor_only(membership)
    return Announcement.objects.annotate(
        read_count=_count_of(AnnouncementRead.objects.all(), "announcement"),
        targeted_count=_targeted_people_count(),
    ).order_by(F("published_at").desc(nulls_first=True), "-created_at", "-pk")


def announcement_get_console(*, membership: Membership, announcement_id: int) -> Announcement:
    announcement = (
        announcement_list_console(membership=membership).filter(pk=announcement_id).first()
    )
    if announcement is None:
        raise Http404
    return announcement


def announcements_for_partner(*, membership: Membership) -> QuerySet[Announcement]:
    """Published announcements addressed to the member's partner, pinned first,
    newest next, each with ``is_read`` for this person."""
    if not membership.is_partner:
        raise Http404
    return (
        Announcement.objects.filter(
            audience_includes_partner(membership.partner), published_at__isnull=False
        )
        .annotate(
            is_read=Exists(
                AnnouncementRead.objects.filter(
                    announcement=OuterRef("pk"), user_id=membership.user_id
                )
            )
        )
        .order_by("-pinned", "-published_at", "-pk")
    )


def announcement_get_for_partner(*, membership: Membership, announcement_id: int) -> Announcement:
    """The same 404 for missing, unpublished and addressed-elsewhere announcements."""
    announcement = (
        announcements_for_partner(membership=membership).filter(pk=announcement_id).first()
    )
    if announcement is None:
        raise Http404
    return announcement


# --- surveys -------------------------------------------------------------------


def survey_list_console(*, membership: Membership) -> QuerySet[Survey]:
    _vendor_only(membership)
    return Survey.objects.annotate(
        response_count=_count_of(SurveyResponse.objects.all(), "survey"),
        question_count=_count_of(SurveyQuestion.objects.all(), "survey"),
        targeted_count=_targeted_people_count(),
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
        Survey.objects.filter(audience_includes_partner(membership.partner), is_open=True)
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
    _vendor_only(membership)
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


# --- ideas ---------------------------------------------------------------------


def ideas_visible_to(*, membership: Membership) -> QuerySet[Idea]:
    """Vendor roles see every idea of the tenant; partner users their own partner's."""
    ideas = Idea.objects.select_related("partner", "author", "responded_by")
    if membership.is_partner:
        ideas = ideas.filter(partner_id=membership.partner_id)
    return ideas.order_by("-created_at", "-pk")


def idea_get(*, membership: Membership, idea_id: int) -> Idea:
    idea = ideas_visible_to(membership=membership).filter(pk=idea_id).first()
    if idea is None:
        raise Http404
    return idea
