"""The activity panel other pages include: a record's history, newest first,
and the form to add to it.

Usage in a view (registration or lead, console or portal)::

    context.update(activity_panel(request, registration=registration))

and in its template ``{% include "activities/panel.html" %}``.
"""

from __future__ import annotations

from django.urls import reverse

from deals.models import DealRegistration, Lead
from deals.selectors.activities import activities_for

from .forms import ActivityForm


def activity_action(request, *, registration=None, lead=None) -> str:
    namespace = "console" if request.membership.is_vendor else "portal"
    if registration is not None:
        return reverse(
            f"{namespace}:registration_activity_add",
            kwargs={"tenant_slug": request.tenant.slug, "registration_id": registration.pk},
        )
    return reverse(
        f"{namespace}:lead_activity_add",
        kwargs={"tenant_slug": request.tenant.slug, "lead_id": lead.pk},
    )


def activity_panel(
    request,
    *,
    registration: DealRegistration | None = None,
    lead: Lead | None = None,
    form: ActivityForm | None = None,
    can_add: bool = True,
    next_url: str | None = None,
) -> dict:
    """The context ``activities/panel.html`` reads: ``activities`` (newest first,
    authors loaded), ``activity_form`` (None hides the form) and
    ``activity_action`` (where the form posts).  After saving, the person
    returns to ``next_url`` (default: the current page)."""
    if form is None and can_add:
        form = ActivityForm(initial={"next": next_url or request.get_full_path()})
    return {
        "activities": list(
            activities_for(membership=request.membership, registration=registration, lead=lead)
        ),
        "activity_form": form if can_add else None,
        "activity_action": activity_action(request, registration=registration, lead=lead),
    }
