"""Surveys: the console's builder and results; answering in the portal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.selectors import surveys as selectors
from partners.services import surveys as services
from prm import policies

from ...access import policy_required
from ...audience import with_audience
from ...calls import call_with_form, call_with_message
from .forms import SurveyAnswerForm, SurveyForm, SurveyQuestionForm


def surveys(request):
    context = {
        "surveys": with_audience(selectors.survey_list_console(membership=request.membership)),
        "can_edit": policies.can_communicate(request.membership),
    }
    return render(request, "surveys/console_surveys.html", context)


@policy_required(policies.can_communicate)
def survey_create(request):
    form = SurveyForm(request.POST or None)
    created = []

    def create():
        created.append(
            services.survey_create(
                by=request.membership, audience=form.audience(), **form.fields_except_audience()
            )
        )

    if request.method == "POST" and call_with_form(form, create):
        messages.success(request, _("Survey created. Add its questions, then open it."))
        return redirect("console:survey", tenant_slug=request.tenant.slug, survey_id=created[0].pk)
    return render(
        request,
        "surveys/console_survey_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def survey_detail(request, survey_id: int):
    """The survey's settings and questions; POST saves the settings."""
    survey = selectors.survey_get_console(membership=request.membership, survey_id=survey_id)
    can_edit = policies.can_communicate(request.membership)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    form = SurveyForm(request.POST or None, initial=SurveyForm.initial_for(survey))

    def update():
        services.survey_update(
            survey=survey,
            by=request.membership,
            audience=form.audience(),
            **form.fields_except_audience(),
        )

    if request.method == "POST" and call_with_form(form, update):
        messages.success(request, _("Survey saved."))
        return redirect("console:survey", tenant_slug=request.tenant.slug, survey_id=survey.pk)
    return _render_survey(request, survey, form=form, question_form=SurveyQuestionForm())


def _render_survey(request, survey, *, form, question_form):
    context = {
        "survey": with_audience([survey])[0],
        "form": form,
        "question_form": question_form,
        "questions": survey.questions.all(),
        "can_edit": policies.can_communicate(request.membership),
    }
    status = 400 if form.errors or question_form.errors else 200
    return render(request, "surveys/console_survey.html", context, status=status)


@require_POST
@policy_required(policies.can_communicate)
def survey_question_add(request, survey_id: int):
    survey = selectors.survey_get_console(membership=request.membership, survey_id=survey_id)
    question_form = SurveyQuestionForm(request.POST)

    def add():
        services.survey_question_add(
            survey=survey, by=request.membership, **question_form.service_kwargs()
        )

    if call_with_form(question_form, add):
        messages.success(request, _("Question added."))
        return redirect("console:survey", tenant_slug=request.tenant.slug, survey_id=survey.pk)
    form = SurveyForm(initial=SurveyForm.initial_for(survey))
    return _render_survey(request, survey, form=form, question_form=question_form)


@policy_required(policies.can_communicate)
def survey_question_edit(request, survey_id: int, survey_question_id: int):
    survey = selectors.survey_get_console(membership=request.membership, survey_id=survey_id)
    question = selectors.survey_question_get(survey=survey, question_id=survey_question_id)
    form = SurveyQuestionForm(
        request.POST or None, initial=SurveyQuestionForm.initial_for(question)
    )

    def update():
        kwargs = form.service_kwargs()
        if kwargs["position"] is None:
            kwargs["position"] = question.position
        services.survey_question_update(question=question, by=request.membership, **kwargs)

    if request.method == "POST" and call_with_form(form, update):
        messages.success(request, _("Question saved."))
        return redirect("console:survey", tenant_slug=request.tenant.slug, survey_id=survey.pk)
    return render(
        request,
        "surveys/console_survey_question.html",
        {"survey": survey, "question": question, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@policy_required(policies.can_communicate)
def survey_question_remove(request, survey_id: int, survey_question_id: int):
    survey = selectors.survey_get_console(membership=request.membership, survey_id=survey_id)
    question = selectors.survey_question_get(survey=survey, question_id=survey_question_id)
    call_with_message(
        request,
        lambda: services.survey_question_remove(question=question, by=request.membership),
        _("Question removed."),
    )
    return redirect("console:survey", tenant_slug=request.tenant.slug, survey_id=survey.pk)


def _set_open(request, survey_id: int, is_open: bool):
    survey = selectors.survey_get_console(membership=request.membership, survey_id=survey_id)
    call_with_message(
        request,
        lambda: services.survey_set_open(survey=survey, by=request.membership, is_open=is_open),
        _("Survey opened for answers.") if is_open else _("Survey closed."),
    )
    return redirect("console:survey", tenant_slug=request.tenant.slug, survey_id=survey.pk)


@require_POST
@policy_required(policies.can_communicate)
def survey_open(request, survey_id: int):
    return _set_open(request, survey_id, True)


@require_POST
@policy_required(policies.can_communicate)
def survey_close(request, survey_id: int):
    return _set_open(request, survey_id, False)


def survey_results(request, survey_id: int):
    survey = selectors.survey_get_console(membership=request.membership, survey_id=survey_id)
    results = selectors.survey_results(membership=request.membership, survey=survey)
    return render(request, "surveys/console_survey_results.html", {"results": results})


def portal_surveys(request):
    items = selectors.surveys_to_answer(membership=request.membership)
    return render(request, "surveys/portal_surveys.html", {"surveys": items})


def portal_survey(request, survey_id: int):
    survey = selectors.survey_get_for_partner(membership=request.membership, survey_id=survey_id)
    form = SurveyAnswerForm(request.POST or None, questions=survey.questions.all())

    def answer():
        services.survey_answer(survey=survey, by=request.membership, answers=form.answers())

    if request.method == "POST" and call_with_form(form, answer):
        messages.success(request, _("Thank you for your answers."))
        return redirect("portal:surveys", tenant_slug=request.tenant.slug)
    return render(
        request,
        "surveys/portal_survey.html",
        {"survey": survey, "form": form},
        status=400 if form.errors else 200,
    )
