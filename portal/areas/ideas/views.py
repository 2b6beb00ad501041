"""The ideas box: the vendor's list and answers; partner people's ideas."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from partners.selectors import ideas as selectors
from partners.services import ideas as services
from prm import policies
from prm.once import AlreadySubmitted

from ...calls import call_with_form
from ...forms import partner_search
from .forms import IdeaFilterForm, IdeaForm, IdeaResponseForm


def ideas(request):
    filters = IdeaFilterForm(request.GET or None, partner_search=partner_search(request))
    ideas = selectors.ideas_visible_to(membership=request.membership, filters=filters.filters())
    context = {"ideas": ideas, "filters": filters}
    return render(
        request,
        "ideas/console_ideas.html",
        context,
        status=400 if filters.errors else 200,
    )


def idea_detail(request, idea_id: int):
    idea = selectors.idea_get(membership=request.membership, idea_id=idea_id)
    can_edit = policies.can_answer_ideas(request.membership)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    form = IdeaResponseForm(
        request.POST or None,
        initial={"status": idea.status, "vendor_response": idea.vendor_response},
    )

    def respond():
        services.idea_respond(idea=idea, by=request.membership, **form.cleaned_data)

    if request.method == "POST" and call_with_form(form, respond):
        messages.success(request, _("Answer saved; the partner can see it now."))
        return redirect("console:idea", tenant_slug=request.tenant.slug, idea_id=idea.pk)
    return render(
        request,
        "ideas/console_idea.html",
        {"idea": idea, "form": form, "can_edit": can_edit},
        status=400 if form.errors else 200,
    )


def portal_ideas(request):
    form = IdeaForm(request.POST or None)

    def submit():
        services.idea_submit(by=request.membership, **form.cleaned_data)

    try:
        if request.method == "POST" and call_with_form(form, submit):
            messages.success(request, _("Thank you! Your idea was sent to the vendor."))
            return redirect("portal:ideas", tenant_slug=request.tenant.slug)
    except AlreadySubmitted:
        messages.info(request, _("Your idea was already sent."))
        return redirect("portal:ideas", tenant_slug=request.tenant.slug)
    context = {"form": form, "ideas": selectors.ideas_visible_to(membership=request.membership)}
    return render(request, "ideas/portal_ideas.html", context, status=400 if form.errors else 200)


def portal_idea(request, idea_id: int):
    idea = selectors.idea_get(membership=request.membership, idea_id=idea_id)
    return render(request, "ideas/portal_idea.html", {"idea": idea})
