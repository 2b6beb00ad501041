"""Announcements: the console's list, editor and publishing; the portal's news."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.selectors import announcements as selectors
from partners.services import announcements as services
from prm import policies

from ...access import policy_required
from ...audience import with_audience
from ...calls import call_with_form, call_with_message
from .forms import AnnouncementForm


def announcements(request):
    context = {
        "announcements": with_audience(
            selectors.announcement_list_console(membership=request.membership)
        ),
        "can_edit": policies.can_communicate(request.membership),
    }
    return render(request, "announcements/console_announcements.html", context)


@policy_required(policies.can_communicate)
def announcement_create(request):
    form = AnnouncementForm(request.POST or None)

    def create():
        return services.announcement_create(
            by=request.membership, audience=form.audience(), **form.fields_except_audience()
        )

    if request.method == "POST" and call_with_form(form, create):
        messages.success(request, _("Announcement saved as a draft."))
        return redirect("console:announcements", tenant_slug=request.tenant.slug)
    return render(
        request,
        "announcements/console_announcement_form.html",
        {"form": form, "announcement": None, "can_edit": True},
        status=400 if form.errors else 200,
    )


def announcement_detail(request, announcement_id: int):
    announcement = selectors.announcement_get_console(
        membership=request.membership, announcement_id=announcement_id
    )
    can_edit = policies.can_communicate(request.membership)
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

    if request.method == "POST" and call_with_form(form, update):
        messages.success(request, _("Announcement saved."))
        return redirect(
            "console:announcement", tenant_slug=request.tenant.slug, announcement_id=announcement.pk
        )
    context = {
        "form": form,
        "announcement": with_audience([announcement])[0],
        "can_edit": can_edit,
    }
    return render(
        request,
        "announcements/console_announcement_form.html",
        context,
        status=400 if form.errors else 200,
    )


@require_POST
@policy_required(policies.can_communicate)
def announcement_publish(request, announcement_id: int):
    announcement = selectors.announcement_get_console(
        membership=request.membership, announcement_id=announcement_id
    )
    call_with_message(
        request,
        lambda: services.announcement_publish(announcement=announcement, by=request.membership),
        _("Announcement published."),
    )
    return redirect("console:announcements", tenant_slug=request.tenant.slug)


@require_POST
@policy_required(policies.can_communicate)
def announcement_unpublish(request, announcement_id: int):
    announcement = selectors.announcement_get_console(
        membership=request.membership, announcement_id=announcement_id
    )
    call_with_message(
        request,
        lambda: services.announcement_unpublish(announcement=announcement, by=request.membership),
        _("Announcement withdrawn."),
    )
    return redirect("console:announcements", tenant_slug=request.tenant.slug)


def portal_announcements(request):
    items = selectors.announcements_for_partner(membership=request.membership)
    return render(request, "announcements/portal_announcements.html", {"announcements": items})


def portal_announcement(request, announcement_id: int):
    announcement = selectors.announcement_get_for_partner(
        membership=request.membership, announcement_id=announcement_id
    )
    services.announcement_mark_read(announcement=announcement, by=request.membership)
    return render(request, "announcements/portal_announcement.html", {"announcement": announcement})
