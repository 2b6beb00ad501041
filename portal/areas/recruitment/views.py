"""Recruitment: the public application page and the review queue."""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.models import PartnerApplication
from partners.selectors import recruitment as selectors
from partners.selectors.recruitment import ApplicationFilters
from partners.services import recruitment as services
from prm import policies
from prm.client_ip import client_ip
from prm.models import Tenant
from prm.selectors import tenant_by_slug, vendor_staff
from prm.tenancy import tenant_context

from ...access import policy_required
from ...forms import apply_validation_error
from .forms import ApplicationForm, ApproveForm, CriterionForm, QuestionForm, RejectForm, Spam

SUBMISSIONS_PER_HOUR = 10


def _over_rate_limit(tenant: Tenant, ip: str) -> bool:
    """Counts one submission; only well-formed ones get here, so empty and spam
    posts cannot use up the limit of the people behind the same address."""
    key = f"application-rate:{tenant.pk}:{ip}"
    cache.add(key, 0, timeout=3600)
    return cache.incr(key) > SUBMISSIONS_PER_HOUR


def apply(request, vendor_slug: str):
    """Public, no login: a firm applies to the vendor's partner program."""
    tenant = tenant_by_slug(slug=vendor_slug)
    if tenant is None:
        raise Http404
    with tenant_context(tenant.pk):
        form = ApplicationForm(request.POST or None, questions=selectors.questions_active())
        if request.method == "POST":
            spam = form.spam_check()
            if spam == Spam.BOT:
                # Look successful so that bots learn nothing; store nothing.
                return render(request, "recruitment/apply_thanks.html", {"vendor": tenant})
            if spam == Spam.TOO_FAST:
                form.start_again(
                    _(
                        "Your application was not sent: it came quicker than a person "
                        "usually fills in this form. Please check your entries and send it again."
                    )
                )
            elif spam == Spam.EXPIRED:
                form.start_again(
                    _(
                        "Your application was not sent: the form was open for more than a day. "
                        "Your entries are kept; please check them and send it again."
                    )
                )
            elif form.is_valid():
                if _over_rate_limit(tenant, client_ip(request)):
                    return render(
                        request, "recruitment/apply_limited.html", {"vendor": tenant}, status=429
                    )
                try:
                    services.application_submit(
                        data=form.application_data(),
                        raw_answers=form.raw_answers(),
                        ip=client_ip(request),
                    )
                except ValidationError as error:
                    apply_validation_error(form, error)
                else:
                    return render(request, "recruitment/apply_thanks.html", {"vendor": tenant})
        return render(
            request,
            "recruitment/apply.html",
            {"vendor": tenant, "form": form},
            status=400 if form.errors else 200,
        )


def queue(request):
    filters = ApplicationFilters(
        status=request.GET.get("status", "pending"), order=request.GET.get("order", "score")
    )
    return render(
        request,
        "recruitment/queue.html",
        {
            "applications": selectors.application_queue(filters=filters)[:200],
            "status": filters.status,
            "order": filters.order,
            "statuses": PartnerApplication.Status.choices,
        },
    )


def detail(request, application_id: int):
    application = selectors.application_get(application_id=application_id)
    staff = vendor_staff()
    approve_form = ApproveForm(request.POST if "approve" in request.POST else None, staff=staff)
    reject_form = RejectForm(request.POST if "reject" in request.POST else None)
    status = 200
    if request.method == "POST":
        if not policies.can_review_applications(request.membership):
            raise PermissionDenied
        try:
            if "approve" in request.POST and approve_form.is_valid():
                partner = services.application_approve(
                    application=application,
                    by=request.membership,
                    account_manager=approve_form.cleaned_data["account_manager"],
                    reason=approve_form.cleaned_data["reason"],
                )
                messages.success(
                    request,
                    _("%(name)s is now a partner; its contact has been invited.")
                    % {"name": partner.name},
                )
                return redirect(
                    "console:application_detail",
                    tenant_slug=request.tenant.slug,
                    application_id=application.pk,
                )
            if "reject" in request.POST and reject_form.is_valid():
                services.application_reject(
                    application=application,
                    by=request.membership,
                    reason=reject_form.cleaned_data["reason"],
                )
                messages.success(request, _("Application rejected."))
                return redirect("console:applications", tenant_slug=request.tenant.slug)
        except ValidationError as error:
            target = approve_form if "approve" in request.POST else reject_form
            apply_validation_error(target, error)
        status = 400
    return render(
        request,
        "recruitment/detail.html",
        {
            "application": application,
            "answers": selectors.answers_for_display(application=application),
            "approve_form": approve_form,
            "reject_form": reject_form,
            "can_decide": policies.can_review_applications(request.membership),
        },
        status=status,
    )


@policy_required(policies.can_review_applications)
def settings_view(request):
    question_form = QuestionForm(
        request.POST if "add_question" in request.POST else None, prefix="q"
    )
    criterion_form = CriterionForm(
        request.POST if "add_criterion" in request.POST else None, prefix="c"
    )
    if request.method == "POST":
        adding_question = "add_question" in request.POST
        form = question_form if adding_question else criterion_form
        add = services.question_add if adding_question else services.criterion_add
        if form.is_valid():
            try:
                add(by=request.membership, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("console:recruitment_settings", tenant_slug=request.tenant.slug)
    public_url = request.build_absolute_uri(f"/apply/{request.tenant.slug}/")
    return render(
        request,
        "recruitment/settings.html",
        {
            "questions": selectors.questions_all(),
            "criteria": selectors.criteria_all(),
            "question_form": question_form,
            "criterion_form": criterion_form,
            "public_url": public_url,
        },
        status=400 if (question_form.errors or criterion_form.errors) else 200,
    )


@require_POST
@policy_required(policies.can_review_applications)
def question_delete(request, question_id: int):
    question = selectors.question_get(question_id=question_id)
    services.question_retire(question=question, by=request.membership)
    messages.success(request, _("Question retired."))
    return redirect("console:recruitment_settings", tenant_slug=request.tenant.slug)


@require_POST
@policy_required(policies.can_review_applications)
def criterion_delete(request, criterion_id: int):
    criterion = selectors.criterion_get(criterion_id=criterion_id)
    services.criterion_delete(criterion=criterion, by=request.membership)
    messages.success(request, _("Criterion removed."))
    return redirect("console:recruitment_settings", tenant_slug=request.tenant.slug)
