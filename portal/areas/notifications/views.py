"""The person's notifications: the inbox (newest first, unread marked), opening
one (read, then on to its page), marking all read, and e-mail choices."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import policy_required
from portal.calls import call_with_form
from portal.keyset import page_from_request
from prm import policies
from prm.links import link_path
from prm.notifications import body_of, kinds_for_role, title_of
from prm.selectors import notification_get, notification_preferences_of, notifications_of
from prm.services.notifications import (
    notification_preferences_save,
    notification_read,
    notifications_read_all,
)

from .forms import PreferencesForm


def _side(request) -> str:
    return request.resolver_match.namespace


def target_of(notification, tenant) -> str | None:
    if not notification.link_name:
        return None
    try:
        return link_path(notification.link_name, tenant=tenant, **notification.link_params)
    except (LookupError, ValueError, TypeError):
        return None  # the page is gone (renamed or removed): the inbox stays usable


@policy_required(policies.can_read_notifications)
def inbox(request):
    page = page_from_request(
        request,
        notifications_of(membership=request.membership),
        order=("created_at", "id"),
        descending=True,
        size=30,
    )
    for notification in page.rows:
        notification.title = title_of(notification)
        notification.body = body_of(notification)
    return render(request, "notifications/inbox.html", {"page": page, "side": _side(request)})


@policy_required(policies.can_read_notifications)
def open_one(request, notification_id: int):
    notification = notification_get(membership=request.membership, notification_id=notification_id)
    notification_read(notification=notification, by=request.membership)
    target = target_of(notification, request.tenant)
    if target:
        return redirect(target)
    return redirect(f"{_side(request)}:notifications", tenant_slug=request.tenant.slug)


@require_POST
@policy_required(policies.can_read_notifications)
def read_all(request):
    notifications_read_all(by=request.membership)
    messages.success(request, _("All notifications are marked read."))
    return redirect(f"{_side(request)}:notifications", tenant_slug=request.tenant.slug)


@policy_required(policies.can_read_notifications)
def preferences(request):
    membership = request.membership
    form = PreferencesForm(
        request.POST or None,
        kinds=kinds_for_role(membership.role),
        chosen=notification_preferences_of(membership=membership),
    )
    if request.method == "POST" and form.is_valid():
        if call_with_form(
            form,
            lambda: notification_preferences_save(choices=form.choices(), by=membership),
        ):
            messages.success(request, _("Your e-mail choices are saved."))
            return redirect(
                f"{_side(request)}:notification_settings", tenant_slug=request.tenant.slug
            )
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "side": _side(request)},
        status=400 if form.errors else 200,
    )
