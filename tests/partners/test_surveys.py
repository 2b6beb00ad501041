"""Surveys: building them in the console, answering once in the portal, and
results (NPS, averages per segment) only for the vendor."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import Partner, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from partners.selectors import surveys as selectors
from partners.services import surveys as services
from prm.tenancy import tenant_context
from tests.world import make_member


def _url(name, world, **kwargs):
    return reverse(name, kwargs={"tenant_slug": world.a.slug, **kwargs})


def _survey(world, *, is_open=True, questions=None, **fields) -> Survey:
    """A survey in A with an NPS, a rating, a choice and an optional text question."""
    if questions is None:
        questions = [
            ("Recommend us?", "nps", [], True),
            ("Rate onboarding", "rating", [], True),
            ("Improve first", "choice", ["Payouts", "Training"], True),
            ("Anything else?", "text", [], False),
        ]
    with tenant_context(world.a.pk):
        survey = Survey.objects.create(title="Pulse", is_open=is_open, **fields)
        for position, (text, kind, choices, required) in enumerate(questions):
            SurveyQuestion.objects.create(
                survey=survey,
                text=text,
                kind=kind,
                choices=choices,
                required=required,
                position=position,
            )
    return survey


def _questions(world, survey) -> dict[str, int]:
    with tenant_context(world.a.pk):
        return {q.kind: q.pk for q in SurveyQuestion.objects.filter(survey=survey)}


def _answers(world, survey, nps="9", rating="4", choice="Training", text="Fine") -> dict:
    q = _questions(world, survey)
    return {
        f"q_{q['nps']}": nps,
        f"q_{q['rating']}": rating,
        f"q_{q['choice']}": choice,
        f"q_{q['text']}": text,
    }


def _count(world, model, **filters) -> int:
    with tenant_context(world.a.pk):
        return model.objects.filter(**filters).count()


# --- console -----------------------------------------------------------------------


def test_channel_manager_builds_and_opens_a_survey(client, world):
    client.force_login(world.channel_manager.user)
    response = client.post(
        _url("console:survey_create", world),
        {"title": "Partner pulse", "introduction": "Two minutes.", "target_types": ["msp"]},
    )
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        survey = Survey.objects.get(title="Partner pulse")
    assert (survey.is_open, survey.target_types) == (False, ["msp"])
    add = _url("console:survey_question_add", world, survey_id=survey.pk)
    assert (
        client.post(add, {"text": "Recommend?", "kind": "nps", "required": "on"}).status_code == 302
    )
    assert (
        client.post(
            add,
            {
                "text": "Which?",
                "kind": "choice",
                "choices": "Alpha\r\nBeta\n\nAlpha",
                "required": "on",
            },
        ).status_code
        == 302
    )
    with tenant_context(world.a.pk):
        questions = list(SurveyQuestion.objects.filter(survey=survey))
    assert [(q.kind, q.position, q.choices) for q in questions] == [
        ("nps", 0, []),
        ("choice", 1, ["Alpha", "Beta"]),
    ]
    edit = _url(
        "console:survey_question", world, survey_id=survey.pk, survey_question_id=questions[0].pk
    )
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"text": "Would you recommend us?", "kind": "nps", "position": 5})
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        edited = SurveyQuestion.objects.get(pk=questions[0].pk)
    assert (edited.text, edited.required, edited.position) == ("Would you recommend us?", False, 5)
    remove = _url(
        "console:survey_question_remove",
        world,
        survey_id=survey.pk,
        survey_question_id=questions[1].pk,
    )
    assert client.post(remove).status_code == 302
    assert _count(world, SurveyQuestion, survey=survey) == 1
    assert client.post(_url("console:survey_open", world, survey_id=survey.pk)).status_code == 302
    assert _count(world, Survey, pk=survey.pk, is_open=True) == 1
    assert client.get(_url("console:survey", world, survey_id=survey.pk)).status_code == 200
    assert client.get(_url("console:surveys", world)).status_code == 200


@pytest.mark.parametrize(
    "data, field",
    [
        ({"text": "", "kind": "nps"}, "text"),
        ({"text": "Which?", "kind": "choice", "choices": "Only one"}, "choices"),
        ({"text": "Which?", "kind": "essay"}, "kind"),
        ({"text": "Which?", "kind": "rating", "position": "-1"}, "position"),
    ],
)
def test_bad_questions_are_refused_and_change_nothing(client, world, data, field):
    survey = _survey(world, is_open=False, questions=[])
    client.force_login(world.vendor_admin.user)
    response = client.post(_url("console:survey_question_add", world, survey_id=survey.pk), data)
    assert response.status_code == 400
    assert response.context["question_form"].errors.get(field)
    assert _count(world, SurveyQuestion, survey=survey) == 0


def test_a_survey_without_questions_cannot_open(client, world):
    survey = _survey(world, is_open=False, questions=[])
    client.force_login(world.vendor_admin.user)
    response = client.post(_url("console:survey_open", world, survey_id=survey.pk), follow=True)
    assert b"at least one question" in response.content
    assert _count(world, Survey, pk=survey.pk, is_open=False) == 1


def test_questions_are_frozen_once_answered(client, world):
    survey = _survey(world)
    _respond(world, survey, world.p_rep, 9, 4)
    question = _questions(world, survey)["nps"]
    client.force_login(world.channel_manager.user)
    edit = _url("console:survey_question", world, survey_id=survey.pk, survey_question_id=question)
    response = client.post(edit, {"text": "Changed", "kind": "rating", "required": "on"})
    assert response.status_code == 400
    assert b"once the survey has responses" in response.content
    remove = _url(
        "console:survey_question_remove", world, survey_id=survey.pk, survey_question_id=question
    )
    client.post(remove)
    add = _url("console:survey_question_add", world, survey_id=survey.pk)
    assert client.post(add, {"text": "New", "kind": "text"}).status_code == 400
    with tenant_context(world.a.pk):
        assert SurveyQuestion.objects.get(pk=question).text == "Recommend us?"
        assert SurveyQuestion.objects.filter(survey=survey).count() == 4


def test_a_question_of_another_survey_is_404(client, world):
    first, second = _survey(world), _survey(world)
    question = _questions(world, second)["nps"]
    client.force_login(world.vendor_admin.user)
    url = _url("console:survey_question", world, survey_id=first.pk, survey_question_id=question)
    assert client.get(url).status_code == 404


def test_finance_reads_results_but_cannot_change_surveys(client, world):
    survey = _survey(world, is_open=False)
    client.force_login(world.finance.user)
    assert client.get(_url("console:surveys", world)).status_code == 200
    assert client.get(_url("console:survey_results", world, survey_id=survey.pk)).status_code == 200
    assert client.post(_url("console:survey_open", world, survey_id=survey.pk)).status_code == 403
    detail = _url("console:survey", world, survey_id=survey.pk)
    assert client.post(detail, {"title": "Hacked"}).status_code == 403
    assert _count(world, Survey, pk=survey.pk, is_open=False, title="Pulse") == 1


# --- portal ------------------------------------------------------------------------


def test_partner_answers_an_open_survey_once(client, world):
    survey = _survey(world)
    client.force_login(world.p_rep.user)
    listed = client.get(_url("portal:surveys", world)).context["surveys"]
    assert survey.pk in {s.pk for s in listed}
    url = _url("portal:survey", world, survey_id=survey.pk)
    assert client.get(url).status_code == 200
    response = client.post(url, _answers(world, survey, nps="10", text="  Keep going "))
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        response_row = SurveyResponse.objects.get(survey=survey, user=world.p_rep.user)
        stored = {
            a.question.kind: (a.number, a.text)
            for a in SurveyAnswer.objects.filter(response=response_row).select_related("question")
        }
    assert response_row.partner_id == world.p.pk
    assert stored == {
        "nps": (10, ""),
        "rating": (4, ""),
        "choice": (None, "Training"),
        "text": (None, "Keep going"),
    }
    listed = client.get(_url("portal:surveys", world)).context["surveys"]
    assert survey.pk not in {s.pk for s in listed}

    again = client.post(url, _answers(world, survey, nps="0"))
    assert again.status_code == 400
    assert b"already answered" in again.content
    assert _count(world, SurveyResponse, survey=survey) == 1
    assert _count(world, SurveyAnswer, response__survey=survey, number=10) == 1
    assert _count(world, SurveyAnswer, response__survey=survey, number=0) == 0


def test_the_database_refuses_a_second_response_too(world):
    survey = _survey(world)
    with tenant_context(world.a.pk):
        SurveyResponse.objects.create(survey=survey, partner=world.p, user=world.p_rep.user)
        with pytest.raises(IntegrityError), transaction.atomic():
            SurveyResponse.objects.create(survey=survey, partner=world.p, user=world.p_rep.user)


@pytest.mark.parametrize(
    "change, kind",
    [
        ({"nps": ""}, "nps"),
        ({"nps": "11"}, "nps"),
        ({"rating": "0"}, "rating"),
        ({"rating": "five"}, "rating"),
        ({"choice": "Lunch"}, "choice"),
        ({"choice": ""}, "choice"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_saved(client, world, change, kind):
    survey = _survey(world)
    client.force_login(world.p_rep.user)
    response = client.post(
        _url("portal:survey", world, survey_id=survey.pk), _answers(world, survey, **change)
    )
    assert response.status_code == 400
    field = f"q_{_questions(world, survey)[kind]}"
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert _count(world, SurveyResponse, survey=survey) == 0
    assert _count(world, SurveyAnswer, response__survey=survey) == 0


@pytest.mark.parametrize(
    "kind, value, ok",
    [
        ("nps", 0, True),
        ("nps", 10, True),
        ("nps", -1, False),
        ("nps", 11, False),
        ("rating", 1, True),
        ("rating", 6, False),
        ("rating", "4.5", False),
        ("choice", "Payouts", True),
        ("choice", "payouts", False),
    ],
)
def test_the_service_checks_every_answer_itself(world, kind, value, ok):
    survey = _survey(world)
    valid = {"nps": 9, "rating": 4, "choice": "Training"}
    questions = _questions(world, survey)
    answers = {questions[k]: v for k, v in {**valid, kind: value}.items()}
    with tenant_context(world.a.pk):
        if ok:
            services.survey_answer(survey=survey, by=world.p_rep, answers=answers)
        else:
            with pytest.raises(ValidationError) as error:
                services.survey_answer(survey=survey, by=world.p_rep, answers=answers)
            assert list(error.value.message_dict) == [f"q_{questions[kind]}"]
    assert _count(world, SurveyResponse, survey=survey) == (1 if ok else 0)


def test_optional_questions_may_stay_empty(client, world):
    survey = _survey(world)
    client.force_login(world.p_admin.user)
    response = client.post(
        _url("portal:survey", world, survey_id=survey.pk), _answers(world, survey, text="")
    )
    assert response.status_code == 302
    assert _count(world, SurveyAnswer, response__survey=survey) == 3


def test_closed_and_foreign_surveys_are_404_for_partners(client, world):
    closed = _survey(world, is_open=False)
    for_msps = _survey(world, target_types=["msp"])
    client.force_login(world.p_rep.user)
    for survey in (closed, for_msps):
        url = _url("portal:survey", world, survey_id=survey.pk)
        assert client.get(url).status_code == 404
        assert client.post(url, _answers(world, survey)).status_code == 404
    assert _count(world, SurveyResponse, survey__in=[closed, for_msps]) == 0
    listed = {s.pk for s in client.get(_url("portal:surveys", world)).context["surveys"]}
    assert listed.isdisjoint({closed.pk, for_msps.pk})
    client.force_login(world.q_rep.user)
    assert client.get(_url("portal:survey", world, survey_id=for_msps.pk)).status_code == 200


def test_partners_never_see_results(client, world):
    survey = _survey(world)
    client.force_login(world.p_admin.user)
    assert client.get(_url("console:survey_results", world, survey_id=survey.pk)).status_code == 403
    with tenant_context(world.a.pk), pytest.raises(Http404):
        selectors.survey_results(membership=world.p_admin, survey=survey)


def test_a_survey_of_b_is_404_in_a(client, world):
    with tenant_context(world.b.pk):
        b_survey = Survey.objects.get(title="How are we doing?")
    client.force_login(world.p_rep.user)
    assert client.get(_url("portal:survey", world, survey_id=b_survey.pk)).status_code == 404
    client.force_login(world.vendor_admin.user)
    url = _url("console:survey_results", world, survey_id=b_survey.pk)
    assert client.get(url).status_code == 404


# --- results -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "scores, expected",
    [
        ([10, 9, 8, 6, 0], Decimal("0.0")),
        ([10, 10, 7], Decimal("66.7")),
        ([0, 0, 9], Decimal("-33.3")),
        ([9, 10, 10, 10], Decimal("100.0")),
        ([6, 7, 8, 9, 10, 10, 10, 5], Decimal("25.0")),
        ([10, 8, 8, 8, 8, 8, 8, 8], Decimal("12.5")),
    ],
)
def test_nps_maths(scores, expected):
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    assert (
        selectors.nps_score(promoters=promoters, detractors=detractors, answers=len(scores))
        == expected
    )


def test_nps_rounds_half_up():
    # 1 promoter in 16 answers: 6.25 → 6.3 (banker's rounding would give 6.2)
    assert selectors.nps_score(promoters=1, detractors=0, answers=16) == Decimal("6.3")
    assert selectors.nps_score(promoters=0, detractors=0, answers=0) is None


def _respond(world, survey, who, nps, rating, choice="Payouts", text=""):
    q = _questions(world, survey)
    with tenant_context(world.a.pk):
        services.survey_answer(
            survey=survey,
            by=who,
            answers={q["nps"]: nps, q["rating"]: rating, q["choice"]: choice, q["text"]: text},
        )


def _result_of(results, kind):
    return next(r for r in results.questions if r.question.kind == kind)


def test_results_overall_and_per_segment(client, world):
    with tenant_context(world.a.pk):
        Partner.objects.filter(pk=world.p.pk).update(segment="smb")
        Partner.objects.filter(pk=world.q.pk).update(segment="enterprise")
    survey = _survey(world)
    _respond(world, survey, world.p_admin, 10, 5, "Training", "Great team")
    _respond(world, survey, world.p_rep, 10, 4)
    _respond(world, survey, world.q_rep, 7, 2, text="Slow payouts")
    client.force_login(world.channel_manager.user)
    response = client.get(_url("console:survey_results", world, survey_id=survey.pk))
    assert response.status_code == 200
    results = response.context["results"]
    assert results.responses == 3
    nps = _result_of(results, "nps")
    assert (nps.overall.answers, nps.overall.nps) == (3, Decimal("66.7"))
    assert {label: t.nps for label, t in nps.by_segment} == {
        "Small business": Decimal("100.0"),
        "Enterprise": Decimal("0.0"),
    }
    rating = _result_of(results, "rating")
    assert rating.overall.average == Decimal("3.67")
    assert {label: t.average for label, t in rating.by_segment} == {
        "Small business": Decimal("4.50"),
        "Enterprise": Decimal("2.00"),
    }
    assert _result_of(results, "choice").choice_counts == [("Payouts", 2), ("Training", 1)]
    texts = [(a.text, a.response.partner.name) for a in _result_of(results, "text").text_answers]
    assert texts == [("Great team", "Partner P"), ("Slow payouts", "Partner Q")]
    assert b"66.7" in response.content and b"Slow payouts" in response.content


def test_results_of_five_known_answers(world):
    survey = _survey(world)
    people = [world.p_admin, world.p_rep, world.q_rep]
    people += [make_member(world.a, f"extra{i}@p.test", "partner_rep", world.p) for i in range(2)]
    for who, score in zip(people, [10, 9, 8, 6, 0], strict=True):
        _respond(world, survey, who, score, 3)
    with tenant_context(world.a.pk):
        results = selectors.survey_results(membership=world.vendor_admin, survey=survey)
    nps = _result_of(results, "nps").overall
    assert (nps.answers, nps.promoters, nps.detractors, nps.nps) == (5, 2, 2, Decimal("0.0"))
    assert {label for label, _ in _result_of(results, "nps").by_segment} == {"No segment"}


def test_results_use_a_constant_number_of_queries(client, world):
    survey = _survey(world)
    _respond(world, survey, world.p_admin, 10, 5, text="First")
    client.force_login(world.vendor_admin.user)
    url = _url("console:survey_results", world, survey_id=survey.pk)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    _respond(world, survey, world.p_rep, 3, 2, text="Second")
    _respond(world, survey, world.q_rep, 9, 4, "Training", text="Third")
    for i in range(5):
        who = make_member(world.a, f"more{i}@p.test", "partner_rep", world.p)
        _respond(world, survey, who, i, 1 + i % 5, text=f"Note {i}")
    assert queries() == before


def test_survey_list_queries_do_not_grow(client, world):
    client.force_login(world.vendor_admin.user)
    url = _url("console:surveys", world)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    for _ in range(6):
        _survey(world, target_types=["msp"])
    assert queries() == before
