"""The activity log of registrations and leads on both faces: the page of a
registration's log, adding to it, and downloading its documents.  (A lead's
log is added to from the lead's page, in the leads area.)"""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from deals.selectors import activities as activity_selectors
from deals.services import activities as activity_services

from ...forms import apply_validation_error
from .forms import ActivityForm
from .panel import activity_panel


def _safe_next(request, url: str) -> str | None:
    prefix = f"/t/{request.tenant.slug}/"
    if (
        url
        and url.startswith(prefix)
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return None


def _record_page(request, registration) -> str:
    namespace = "console" if request.membership.is_vendor else "portal"
    kwargs = {"tenant_slug": request.tenant.slug, "registration_id": registration.pk}
    try:
        return reverse(f"{namespace}:registration", kwargs=kwargs)
    except NoReverseMatch:
        return reverse(f"{namespace}:registration_activity_add", kwargs=kwargs)


def add_activity(request, form, **record):
    """Save a valid form's activity; True on success, else errors are on the form."""
    if not form.is_valid():
        return False
    try:
        activity_services.activity_add(by=request.membership, **record, **form.activity_fields())
    except ValidationError as error:
        apply_validation_error(form, error)
        return False
    messages.success(request, _("Added to the activity log."))
    return True


def registration_activity_add(request, registration_id: int):
    """The registration's activity log on a page of its own (the registration
    page includes the same panel); adding returns to where the form was."""
    registration = activity_selectors.registration_for_activities(
        membership=request.membership, registration_id=registration_id
    )
    form = ActivityForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and add_activity(request, form, registration=registration):
        return redirect(
            _safe_next(request, form.cleaned_data["next"]) or _record_page(request, registration)
        )
    context = {"registration": registration, "record_url": _record_page(request, registration)}
    context.update(activity_panel(request, registration=registration, form=form))
    return render(request, "activities/page.html", context, status=400 if form.errors else 200)


def activity_download(request, activity_id: int):
    """A document of the activity log, for whoever may see the activity."""
    activity = activity_selectors.activity_get(
        membership=request.membership, activity_id=activity_id
    )
    if not activity.attachment:
        raise Http404
    name = PurePath(activity.attachment.name).name
    # The type read from the content at upload (older rows: a safe default).
    content_type = activity.attachment_type or "application/octet-stream"
    return FileResponse(
        activity.attachment.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=content_type,
    )
