"""Announcements, surveys and the ideas box: console (vendor) and portal (partner) pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.models import Segment, Tier
from partners.selectors import communication as selectors
from partners.services import communication as services
from partners.types import partner_type_choices
from prm.roles import Role

from ...access import roles_required
from ...forms import apply_validation_error
from .forms import (
    AnnouncementForm,
    IdeaFilterForm,
    IdeaForm,
    IdeaResponseForm,
    SurveyAnswerForm,
    SurveyForm,
    SurveyQuestionForm,
)

EDITORS = (Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER)


def _can_edit(request) -> bool:
    return request.membership.role in EDITORS


def _with_audience(rows) -> list:
    """Materialise ``rows`` and give each an ``audience`` text naming its targets
    (two lookup queries, whatever the number of rows)."""
    rows = list(rows)
    tiers = dict(Tier.objects.values_list("pk", "name"))
    types = dict(partner_type_choices())
    segments = dict(Segment.choices)
    for row in rows:
        parts = []
        if row.target_tier_ids:
            names = ", ".join(str(tiers.get(t, t)) for t in row.target_tier_ids)
            parts.append(_("Tiers: %(names)s") % {"names": names})
        if row.target_types:
            names = ", ".join(str(types.get(t, t)) for t in row.target_types)
            parts.append(_("Types: %(names)s") % {"names": names})
        if row.target_regions:
            parts.append(_("Regions: %(names)s") % {"names": ", ".join(row.target_regions)})
        if row.target_segments:
            names = ", ".join(str(segments.get(s, s)) for s in row.target_segments)
            parts.append(_("Segments: %(names)s") % {"names": names})
        row.audience = "; ".join(parts) or _("Every partner")
    return rows


def _save(form, call) -> bool:
    """Run the service call for a valid form; show its ValidationError on the form."""
    if not form.is_valid():
        return False
    try:
        call()
    except ValidationError as error:
        apply_validation_error(form, error)
        return False
    return True


def _post_action(request, call, success: str) -> None:
    try:
        call()
        messages.success(request, success)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))


# --- console: announcements ------------------------------------------------------


def announcements(request):
    context = {
        "announcements": _with_audience(
            selectors.announcement_list_console(membership=request.membership)
        ),
        "can_edit": _can_edit(request),
    }
    return render(request, "communication/console_announcements.html", context)


@roles_required(*EDITORS)
def announcement_create(request):
    form = AnnouncementForm(request.POST or None)

    def create():
        return services.announcement_create(
            by=request.membership, audience=form.audience(), **form.fields_except_audience()
        )

    if request.method == "POST" and _save(form, create):
        messages.success(request, _("Announcement saved as a draft."))
        return redirect("console:announcements", tenant_slug=request.tenant.slug)
    return render(
        request,
        "communication/console_announcement_form.html",
        {"form": form, "announcement": None, "can_edit": True},
        status=400 if form.errors else 200,
    )


def announcement_detail(request, announcement_id: int):
    announcement = selectors.announcement_get_console(
        membership=request.membership, announcement_id=announcement_id
    )
    can_edit = _can_edit(request)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    form = AnnouncementForm(
        request.POST or None, initial=AnnouncementForm.initial_for(announcement)
    )

    def update():
        return services.announcement_update(
            announcement=announcement,
            by=request.membership,
            audience=form.audience(),
            **form.fields_except_audience(),
        )

    if request.method == "POST" and _save(form, update):
        messages.success(request, _("Announcement saved."))
        return redirect(
            "console:announcement", tenant_slug=request.tenant.slug, announcement_id=announcement.pk
        )
    context = {
        "form": form,
        "announcement": _with_audience([announcement])[0],
        "can_edit": can_edit,
    }
    return render(
        request,
        "communication/console_announcement_form.html",
        context,
        status=400 if form.errors else 200,
    )


@require_POST
@roles_required(*EDITORS)
def announcement_publish(request, announcement_id: int):
    announcement = selectors.announcement_get_console(
        membership=request.membership, announcement_id=announcement_id
    )
    _post_action(
        request,
        lambda: services.announcement_publish(announcement=announcement, by=request.membership),
        _("Announcement published."),
    )
    return redirect("console:announcements", tenant_slug=request.tenant.slug)


@require_POST
@roles_required(*EDITORS)
def announcement_unpublish(request, announcement_id: int):
    announcement = selectors.announcement_get_console(
        membership=request.membership, announcement_id=announcement_id
    )
    _post_action(
        request,
        lambda: services.announcement_unpublish(announcement=announcement, by=request.membership),
        _("Announcement withdrawn."),
    )
    return redirect("console:announcements", tenant_slug=request.tenant.slug)


# --- console: surveys ------------------------------------------------------------


def surveys(request):
    context = {
        "surveys": _with_audience(selectors.survey_list_console(membership=request.membership)),
        "can_edit": _can_edit(request),
    }
    return render(request, "communication/console_surveys.html", context)


@roles_required(*EDITORS)
def survey_create(request):
    form = SurveyForm(request.POST or None)
    created = []

    def create():
        created.append(
            services.survey_create(
                by=request.membership, audience=form.audience(), **form.fields_except_audience()
            )
        )

    if request.method == "POST" and _save(form, create):
        messages.success(request, _("Survey created. Add its questions, then open it."))
        return redirect("console:survey", tenant_slug=request.tenant.slug, survey_id=created[0].pk)
    return render(
        request,
        "communication/console_survey_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def survey_detail(request, survey_id: int):
    """The survey's settings and questions; POST saves the settings."""
    survey = selectors.survey_get_console(membership=request.membership, survey_id=survey_id)
    can_edit = _can_edit(request)
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

    if request.method == "POST" and _save(form, update):
        messages.success(request, _("Survey saved."))
        return redirect("console:survey", tenant_slug=request.tenant.slug, survey_id=survey.pk)
    return _render_survey(request, survey, form=form, question_form=SurveyQuestionForm())


def _render_survey(request, survey, *, form, question_form):
    context = {
        "survey": _with_audience([survey])[0],
        "form": form,
        "question_form": question_form,
        "questions": survey.questions.all(),
        "can_edit": _can_edit(request),
    }
    status = 400 if form.errors or question_form.errors else 200
    return render(request, "communication/console_survey.html", context, status=status)


@require_POST
@roles_required(*EDITORS)
def survey_question_add(request, survey_id: int):
    survey = selectors.survey_get_console(membership=request.membership, survey_id=survey_id)
    question_form = SurveyQuestionForm(request.POST)

    def add():
        services.survey_question_add(
            survey=survey, by=request.membership, **question_form.service_kwargs()
        )

    if _save(question_form, add):
        messages.success(request, _("Question added."))
        return redirect("console:survey", tenant_slug=request.tenant.slug, survey_id=survey.pk)
    form = SurveyForm(initial=SurveyForm.initial_for(survey))
    return _render_survey(request, survey, form=form, question_form=question_form)


@roles_required(*EDITORS)
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

    if request.method == "POST" and _save(form, update):
        messages.success(request, _("Question saved."))
        return redirect("console:survey", tenant_slug=request.tenant.slug, survey_id=survey.pk)
    return render(
        request,
        "communication/console_survey_question.html",
        {"survey": survey, "question": question, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@roles_required(*EDITORS)
def survey_question_remove(request, survey_id: int, survey_question_id: int):
    survey = selectors.survey_get_console(membership=request.membership, survey_id=survey_id)
    question = selectors.survey_question_get(survey=survey, question_id=survey_question_id)
    _post_action(
        request,
        lambda: services.survey_question_remove(question=question, by=request.membership),
        _("Question removed."),
    )
    return redirect("console:survey", tenant_slug=request.tenant.slug, survey_id=survey.pk)


def _set_open(request, survey_id: int, is_open: bool):
    survey = selectors.survey_get_console(membership=request.membership, survey_id=survey_id)
    _post_action(
        request,
        lambda: services.survey_set_open(survey=survey, by=request.membership, is_open=is_open),
        _("Survey opened for answers.") if is_open else _("Survey closed."),
    )
    return redirect("console:survey", tenant_slug=request.tenant.slug, survey_id=survey.pk)


@require_POST
@roles_required(*EDITORS)
def survey_open(request, survey_id: int):
    return _set_open(request, survey_id, True)


@require_POST
@roles_required(*EDITORS)
def survey_close(request, survey_id: int):
    return _set_open(request, survey_id, False)


def survey_results(request, survey_id: int):
    survey = selectors.survey_get_console(membership=request.membership, survey_id=survey_id)
    results = selectors.survey_results(membership=request.membership, survey=survey)
    return render(request, "communication/console_survey_results.html", {"results": results})


# --- console: ideas --------------------------------------------------------------


def ideas(request):
    ideas = selectors.ideas_visible_to(membership=request.membership)
    filters = IdeaFilterForm(request.GET or None)
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            ideas = ideas.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data["partner"]:
            ideas = ideas.filter(partner=filters.cleaned_data["partner"])
    context = {"ideas": ideas, "filters": filters}
    return render(
        request,
        "communication/console_ideas.html",
        context,
        status=400 if filters.errors else 200,
    )


def idea_detail(request, idea_id: int):
    idea = selectors.idea_get(membership=request.membership, idea_id=idea_id)
    can_edit = _can_edit(request)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    form = IdeaResponseForm(
        request.POST or None,
        initial={"status": idea.status, "vendor_response": idea.vendor_response},
    )

    def respond():
        services.idea_respond(idea=idea, by=request.membership, **form.cleaned_data)

    if request.method == "POST" and _save(form, respond):
        messages.success(request, _("Answer saved; the partner can see it now."))
        return redirect("console:idea", tenant_slug=request.tenant.slug, idea_id=idea.pk)
    return render(
        request,
        "communication/console_idea.html",
        {"idea": idea, "form": form, "can_edit": can_edit},
        status=400 if form.errors else 200,
    )


# --- portal ----------------------------------------------------------------------


def portal_announcements(request):
    items = selectors.announcements_for_partner(membership=request.membership)
    return render(request, "communication/portal_announcements.html", {"announcements": items})


def portal_announcement(request, announcement_id: int):
    announcement = selectors.announcement_get_for_partner(
        membership=request.membership, announcement_id=announcement_id
    )
    services.announcement_mark_read(announcement=announcement, membership=request.membership)
    return render(request, "communication/portal_announcement.html", {"announcement": announcement})


def portal_surveys(request):
    items = selectors.surveys_to_answer(membership=request.membership)
    return render(request, "communication/portal_surveys.html", {"surveys": items})


def portal_survey(request, survey_id: int):
    survey = selectors.survey_get_for_partner(membership=request.membership, survey_id=survey_id)
    form = SurveyAnswerForm(request.POST or None, questions=survey.questions.all())

    def answer():
        services.survey_answer(survey=survey, membership=request.membership, answers=form.answers())

    if request.method == "POST" and _save(form, answer):
        messages.success(request, _("Thank you for your answers."))
        return redirect("portal:surveys", tenant_slug=request.tenant.slug)
    return render(
        request,
        "communication/portal_survey.html",
        {"survey": survey, "form": form},
        status=400 if form.errors else 200,
    )


def portal_ideas(request):
    form = IdeaForm(request.POST or None)

    def submit():
        services.idea_submit(membership=request.membership, **form.cleaned_data)

    if request.method == "POST" and _save(form, submit):
        messages.success(request, _("Thank you! Your idea was sent to the vendor."))
        return redirect("portal:ideas", tenant_slug=request.tenant.slug)
    context = {"form": form, "ideas": selectors.ideas_visible_to(membership=request.membership)}
    return render(
        request, "communication/portal_ideas.html", context, status=400 if form.errors else 200
    )


def portal_idea(request, idea_id: int):
    idea = selectors.idea_get(membership=request.membership, idea_id=idea_id)
    return render(request, "communication/portal_idea.html", {"idea": idea})
