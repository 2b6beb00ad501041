"""Program agreements: publishing versions and partners accepting them.

The highest published version is the current one.  A partner may register
deals and receive payouts only while its partner admin has accepted the
current version (``partner_has_accepted_current``).  Publishing a new version
asks every active and onboarding partner to accept again by its deadline.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from prm.actions import action
from prm.audit import audit_record
from prm.dates import check_date
from prm.models import Membership, Tenant
from prm.policies import can_accept_agreement, can_publish_agreements
from prm.uploads import check_upload

from ..models import Agreement, AgreementAcceptance, Partner
from ..notifications import notify_agreement_published
from ..selectors.agreements import ACCEPTING_STATUSES, current_agreement
from ..selectors.people import partner_id_of, partner_of
from .onboarding import onboarding_refresh

MAX_PDF_BYTES = 10 * 1024 * 1024


def _check_pdf(document: UploadedFile | None) -> None:
    if document is not None:
        check_upload(document, allowed={"pdf"}, max_bytes=MAX_PDF_BYTES, field="document")


@action(can_publish_agreements)
def agreement_publish(
    *,
    by: Membership,
    title: str,
    body: str = "",
    document: UploadedFile | None = None,
    accept_by: datetime.date | None = None,
) -> Agreement:
    """Publish the next version and ask the partners' admins to accept it."""
    if not body.strip() and document is None:
        raise ValidationError(_("Give the agreement's text or upload it as a PDF."))
    if accept_by is not None:
        check_date(accept_by, "deadline", field="accept_by")
    _check_pdf(document)
    try:
        with transaction.atomic():
            # Serialise publishers of this tenant so versions never collide.
            Tenant.objects.select_for_update().filter(pk=by.tenant_id).first()
            version = (Agreement.objects.aggregate(v=Max("version"))["v"] or 0) + 1
            agreement = Agreement(
                title=title, version=version, body=body, published_by=by.user, accept_by=accept_by
            )
            if document is not None:
                agreement.document = document
            agreement.save()
            audit_record(
                actor=by.user, action="agreement.published", target=agreement, version=version
            )
            _ask_partners_to_accept(agreement)
    except IntegrityError as error:
        raise ValidationError(_("Another version was published at the same time.")) from error
    return agreement


def _ask_partners_to_accept(agreement: Agreement) -> None:
    """Notify the active admins of every active and onboarding partner, each
    on their own (and the vendor's partner managers of partners with none)."""
    partner_ids = list(
        Partner.objects.filter(status__in=ACCEPTING_STATUSES).values_list("pk", flat=True)
    )
    notify_agreement_published(agreement, partner_ids)


@action(can_accept_agreement)
def agreement_accept(
    *, agreement: Agreement, by: Membership, ip: str | None
) -> AgreementAcceptance:
    """A partner admin accepts the current version for their organisation;
    an old version, or acceptance by anyone else, is refused."""
    current = current_agreement()
    if current is None or agreement.pk != current.pk:
        raise ValidationError(_("This is not the current version of the agreement."))
    try:
        with transaction.atomic():
            acceptance = AgreementAcceptance.objects.create(
                agreement=agreement, partner_id=partner_id_of(by), user=by.user, ip_address=ip
            )
            audit_record(
                actor=by.user,
                action="agreement.accepted",
                target=partner_of(by),
                version=agreement.version,
            )
            onboarding_refresh(partner_ids=[partner_id_of(by)])
    except IntegrityError as error:
        raise ValidationError(_("Your organisation has already accepted this version.")) from error
    return acceptance
