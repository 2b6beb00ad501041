"""The activity log: notes, calls, meetings and documents on a registration or
a lead, shared by the partner and the vendor.

Invariant: a partner's people add activities only to their own partner's
records — a registration of their partner, or a lead their partner accepted;
vendor roles add to any record of the tenant.  The activity carries the
record's partner, which is what partner-level visibility reads.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.selectors.people import partner_id_of
from prm.actions import action
from prm.audit import audit_record
from prm.dates import date_problem
from prm.models import Membership
from prm.policies import can_log_activities
from prm.uploads import Upload, check_upload

from ..models import Activity, DealRegistration, Lead, LeadOffer
from ..states import lead_takes_activities

Kind = Activity.Kind
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_EXTENSIONS = ("pdf", "docx", "xlsx", "pptx", "png", "jpg", "txt", "csv")
BODY_LIMIT = 10_000
# Clocks differ a little between the browser and the server.
CLOCK_SKEW = timedelta(minutes=5)


def _lead_accepted_by(lead: Lead, partner_id: int | None) -> bool:
    return (
        partner_id is not None
        and lead.partner_id == partner_id
        and lead_takes_activities(lead)
        and LeadOffer.objects.filter(
            lead_id=lead.pk, partner_id=partner_id, outcome=LeadOffer.Outcome.ACCEPTED
        ).exists()
    )


def _record_partner(
    by: Membership, registration: DealRegistration | None, lead: Lead | None
) -> int:
    """The partner whose record this is; refuses records the member may not touch."""
    if (registration is None) == (lead is None):
        raise ValueError("Give exactly one of registration and lead.")
    if registration is not None:
        if by.is_partner and registration.partner_id != partner_id_of(by):
            raise PermissionDenied
        return registration.partner_id
    if not _lead_accepted_by(lead, lead.partner_id):
        if by.is_partner:
            raise PermissionDenied
        raise ValidationError(_("Activities can be logged once a partner has accepted the lead."))
    if by.is_partner and lead.partner_id != partner_id_of(by):
        raise PermissionDenied
    return lead.partner_id


def _check_document(attachment: UploadedFile | None) -> Upload:
    """The document's kind, read from its content (not its name)."""
    if attachment is None:
        raise ValidationError({"attachment": _("Choose the document to upload.")})
    return check_upload(
        attachment,
        allowed=set(DOCUMENT_EXTENSIONS),
        max_bytes=MAX_DOCUMENT_BYTES,
        field="attachment",
    )


def _clean(kind: str, body: str, occurred_at: datetime | None, attachment) -> tuple:
    errors: dict[str, list[str]] = {}
    body = (body or "").strip()
    upload = None
    if kind not in Kind.values:
        errors["kind"] = [_("Choose a note, call, meeting or document.")]
    elif kind == Kind.DOCUMENT:
        try:
            upload = _check_document(attachment)
        except ValidationError as error:
            errors.update(error.message_dict)
    else:
        if attachment is not None:
            errors["attachment"] = [_("Choose “Document” to upload a file.")]
        if not body:
            errors["body"] = [_("Write what happened.")]
    if len(body) > BODY_LIMIT:
        errors["body"] = [_("Keep this under %(n)d characters.") % {"n": BODY_LIMIT + 1}]
    now = timezone.now()
    if occurred_at is None:
        occurred_at = now
    elif timezone.is_naive(occurred_at):
        errors["occurred_at"] = [_("Give the time with its time zone.")]
    elif occurred_at > now + CLOCK_SKEW:
        errors["occurred_at"] = [_("The log records what has happened; this is in the future.")]
    elif date_problem(occurred_at, "happened"):
        errors["occurred_at"] = [date_problem(occurred_at, "happened")]
    if errors:
        raise ValidationError(errors)
    return body, occurred_at, upload


@action(can_log_activities)
def activity_add(
    *,
    by: Membership,
    registration: DealRegistration | None = None,
    lead: Lead | None = None,
    kind: str,
    body: str = "",
    occurred_at: datetime | None = None,
    attachment: UploadedFile | None = None,
) -> Activity:
    """Log a note, call, meeting or document (pdf, docx, xlsx, pptx, png, jpg,
    txt or csv, not empty, at most 10 MB) on a registration or a lead.  The
    first activity on an accepted lead records ``lead.first_activity_at`` (never
    earlier than the acceptance), the basis of the time-to-first-activity KPI."""
    partner_id = _record_partner(by, registration, lead)
    body, occurred_at, upload = _clean(kind, body, occurred_at, attachment)
    with transaction.atomic():
        activity = Activity(
            registration=registration,
            lead=lead,
            partner_id=partner_id,
            author=by.user,
            kind=kind,
            body=body,
            occurred_at=occurred_at,
        )
        if upload is not None:
            activity.attachment_type = upload.content_type
            activity.attachment.save(PurePath(attachment.name).name, attachment, save=False)
        activity.save()
        if lead is not None:
            first = max(occurred_at, lead.accepted_at) if lead.accepted_at else occurred_at
            Lead.objects.filter(Q(pk=lead.pk) & Q(first_activity_at__isnull=True)).update(
                first_activity_at=first
            )
        audit_record(
            actor=by.user,
            action="activity.added",
            target=registration if registration is not None else lead,
            activity_id=activity.pk,
            kind=kind,
        )
    return activity
