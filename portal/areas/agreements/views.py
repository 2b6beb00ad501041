"""Program agreements: versions in the console, acceptance in the portal."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.selectors import agreements as selectors
from partners.selectors.people import partner_of
from partners.services import agreements as services
from prm import policies
from prm.client_ip import client_ip

from ...access import policy_required
from ...forms import apply_validation_error
from .forms import PublishForm


def console_list(request):
    form = PublishForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not policies.can_publish_agreements(request.membership):
            raise PermissionDenied
        if form.is_valid():
            try:
                agreement = services.agreement_publish(by=request.membership, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request,
                    _("Version %(v)s published; partner admins have been asked to accept it.")
                    % {"v": agreement.version},
                )
                return redirect("console:agreements", tenant_slug=request.tenant.slug)
    current = selectors.current_agreement()
    return render(
        request,
        "agreements/console_list.html",
        {
            "agreements": selectors.agreement_list(),
            "current": current,
            "pending": selectors.partners_pending_acceptance(agreement=current) if current else [],
            "past_deadline": selectors.partners_past_deadline(),
            "form": form,
            "can_publish": policies.can_publish_agreements(request.membership),
            "today": timezone.localdate(),
        },
        status=400 if form.errors else 200,
    )


def console_detail(request, agreement_id: int):
    agreement = selectors.agreement_get(agreement_id=agreement_id)
    return render(
        request,
        "agreements/console_detail.html",
        {
            "agreement": agreement,
            "acceptances": selectors.acceptances_of(agreement=agreement),
            "pending": selectors.partners_pending_acceptance(agreement=agreement),
        },
    )


def document(request, agreement_id: int):
    """The PDF of a version; any member of the tenant may read it."""
    agreement = selectors.agreement_get(agreement_id=agreement_id)
    if not agreement.document:
        raise Http404
    return FileResponse(
        agreement.document.open("rb"),
        content_type="application/pdf",
        filename=f"agreement-v{agreement.version}.pdf",
    )


def portal_view(request):
    partner = partner_of(request.membership)
    current = selectors.current_agreement()
    return render(
        request,
        "agreements/portal.html",
        {
            "agreement": current,
            "acceptance": selectors.acceptance_of(partner=partner, agreement=current),
            "can_accept": policies.can_accept_agreement(request.membership),
        },
    )


@require_POST
@policy_required(policies.can_accept_agreement)
def portal_accept(request, agreement_id: int):
    agreement = selectors.agreement_get(agreement_id=agreement_id)
    try:
        services.agreement_accept(agreement=agreement, by=request.membership, ip=client_ip(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return render(
            request,
            "agreements/portal.html",
            {
                "agreement": selectors.current_agreement(),
                "acceptance": selectors.acceptance_of(
                    partner=partner_of(request.membership), agreement=selectors.current_agreement()
                ),
                "can_accept": True,
                "error": " ".join(error.messages),
            },
            status=400,
        )
    messages.success(request, _("Thank you — the agreement is accepted for your organisation."))
    return redirect("portal:agreement", tenant_slug=request.tenant.slug)
