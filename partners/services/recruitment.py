"""Recruitment: scoring and deciding partner applications.

Applications arrive on the vendor's public page (no login).  They are scored
against the vendor's weighted ideal-partner criteria; the score is shown to
the reviewer, never used to decide on its own.  The people who review
applications are notified of each one (``partners.notifications``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.actions import action, open_action
from prm.audit import audit_record
from prm.enqueue import email_after_commit
from prm.models import Membership, Tenant
from prm.policies import can_review_applications
from prm.roles import Role
from prm.text import REASON_TEXT, length_problems

from ..applications import answers_clean, application_score
from ..domains import normalise_domain
from ..models import (
    IdealPartnerCriterion,
    Partner,
    PartnerApplication,
    PartnerStatus,
    QualificationQuestion,
)
from ..notifications import notify_application_received
from ..selectors.organisations import domains_taken
from ..types import is_partner_type
from .onboarding import onboarding_start
from .organisations import partner_create
from .people import person_invite


@open_action("a public form: a honeypot, a signed minimum fill time and a per-address rate limit")
def application_submit(
    *, data: dict, raw_answers: dict[str, str], ip: str | None
) -> PartnerApplication:
    """Record an application from the public page, scored; refuses firms that
    are already partners or already have an application under review."""
    questions = list(QualificationQuestion.objects.filter(is_active=True))
    errors: dict[str, list[str]] = {}  # every problem at once, keyed by field
    try:
        answers = answers_clean(questions=questions, raw=raw_answers)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not is_partner_type(data["partner_type"]):
        errors["partner_type"] = [_("Choose a partner type.")]
    try:
        domain = normalise_domain(data["email_domain"])
    except ValidationError as error:
        errors["email_domain"] = error.messages
    else:
        if domains_taken([domain]):
            errors["email_domain"] = [
                _(
                    "A partner with this domain already exists; "
                    "contact your channel manager instead."
                )
            ]
        elif PartnerApplication.objects.filter(
            email_domain=domain, status=PartnerApplication.Status.PENDING
        ).exists():
            errors["email_domain"] = [
                _("An application from this company is already under review.")
            ]
    if errors:
        raise ValidationError(errors)
    application = PartnerApplication(
        **{**data, "email_domain": domain, "country": data["country"].upper()},
        answers=answers,
        submitted_ip=ip,
    )
    application.score, application.score_details = application_score(
        application=application, criteria=list(IdealPartnerCriterion.objects.all())
    )
    with transaction.atomic():
        application.save()
        audit_record(
            actor=None,
            action="application.submitted",
            target=application,
            score=str(application.score),
        )
        notify_application_received(application)
    return application


def _claim(application: PartnerApplication, status: str, by: Membership, reason: str) -> None:
    """Pending → decided exactly once, whoever clicks first."""
    claimed = PartnerApplication.objects.filter(
        pk=application.pk, status=PartnerApplication.Status.PENDING
    ).update(status=status, reviewed_by=by.user, reviewed_at=timezone.now(), decision_reason=reason)
    if claimed != 1:
        raise ValidationError(_("This application has already been decided."))


@action(can_review_applications)
def application_approve(
    *, application: PartnerApplication, by: Membership, account_manager=None, reason: str = ""
) -> Partner:
    """Approve: create the partner (onboarding), start its onboarding plan and
    invite the applicant's contact as its partner admin — all or nothing."""
    with transaction.atomic():
        _claim(application, PartnerApplication.Status.APPROVED, by, reason)
        partner = partner_create(
            by=by,
            name=application.company_name,
            legal_name=application.legal_name,
            website=application.website,
            domains=[application.email_domain],
            country=application.country,
            regions=application.regions,
            industries=application.industries,
            partner_type=application.partner_type,
            account_manager=account_manager,
            status=PartnerStatus.ONBOARDING,
            reason=_("Application approved"),
        )
        PartnerApplication.objects.filter(pk=application.pk).update(partner=partner)
        onboarding_start(partner=partner)
        person_invite(
            by=by, email=application.contact_email, role=Role.PARTNER_ADMIN, partner=partner
        )
        audit_record(
            actor=by.user, action="application.approved", target=application, partner_id=partner.pk
        )
    application.refresh_from_db()
    return partner


@action(can_review_applications)
def application_reject(*, application: PartnerApplication, by: Membership, reason: str) -> None:
    if not reason.strip():
        raise ValidationError({"reason": _("Give the applicant a reason.")})
    if length_problems({"reason": reason}, {"reason": REASON_TEXT}):
        raise ValidationError(length_problems({"reason": reason}, {"reason": REASON_TEXT}))
    with transaction.atomic():
        _claim(application, PartnerApplication.Status.REJECTED, by, reason)
        audit_record(actor=by.user, action="application.rejected", target=application)
        tenant = Tenant.objects.get(pk=application.tenant_id)
        email_after_commit(
            subject=_("Your application to %(tenant)s's partner program") % {"tenant": tenant.name},
            body=_(
                "Thank you for applying on behalf of %(company)s. We are not able to "
                "accept the application at this time.\n\n%(reason)s"
            )
            % {"company": application.company_name, "reason": reason},
            recipients=[application.contact_email],
        )


@action(can_review_applications)
def question_add(
    *,
    by: Membership,
    text: str,
    kind: str,
    choices: list[str],
    required: bool,
    position: int,
    is_active: bool = True,
) -> QualificationQuestion:
    """Ask applicants one more qualification question."""
    question = QualificationQuestion(
        text=text,
        kind=kind,
        choices=choices,
        required=required,
        position=position,
        is_active=is_active,
    )
    question.full_clean(exclude=["tenant"])
    with transaction.atomic():
        question.save()
        audit_record(actor=by.user, action="recruitment.question_added", target=question)
    return question


@action(can_review_applications)
def criterion_add(
    *,
    by: Membership,
    name: str,
    field: str,
    values: list[str],
    weight: int,
    question: QualificationQuestion | None = None,
    minimum=None,
) -> IdealPartnerCriterion:
    """Add a weighted ideal-partner criterion; later applications are scored with it."""
    criterion = IdealPartnerCriterion(
        name=name, field=field, question=question, values=values, minimum=minimum, weight=weight
    )
    criterion.full_clean(exclude=["tenant"])
    with transaction.atomic():
        criterion.save()
        audit_record(actor=by.user, action="recruitment.criterion_added", target=criterion)
    return criterion


@action(can_review_applications)
def question_retire(*, question: QualificationQuestion, by: Membership) -> None:
    """Stop asking a question; answers already given stay in their applications."""
    with transaction.atomic():
        QualificationQuestion.objects.filter(pk=question.pk).update(is_active=False)
        audit_record(actor=by.user, action="recruitment.question_retired", target=question)


@action(can_review_applications)
def criterion_delete(*, criterion: IdealPartnerCriterion, by: Membership) -> None:
    """Remove a criterion; scores already given keep their details."""
    with transaction.atomic():
        audit_record(
            actor=by.user,
            action="recruitment.criterion_removed",
            target=criterion,
            name=criterion.name,
        )
        criterion.delete()
