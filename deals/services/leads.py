"""Leads the vendor records for distribution: creating and closing them.
Offering a lead is in ``offers``, choosing partners automatically in ``routing``."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.domains import normalise_domain
from prm.actions import action
from prm.actors import actor_user
from prm.audit import audit_record
from prm.models import Membership
from prm.policies import can_distribute_leads
from prm.text import LONG_TEXT

from ..codes import country_code
from ..models import Lead, LeadOffer
from ..states import LEAD_CLOSABLE

Status = Lead.Status
Outcome = LeadOffer.Outcome
TEXT_LIMITS = {
    "company_name": 200,
    "industry": 60,
    "contact_name": 200,
    "contact_phone": 40,
    "source": 100,
    "description": LONG_TEXT,
}
LEAD_FIELDS = frozenset(
    {
        "company_name",
        "company_domain",
        "country",
        "industry",
        "contact_name",
        "contact_email",
        "contact_phone",
        "description",
        "estimated_value",
        "currency",
        "source",
    }
)


def _clean_lead_fields(fields: dict) -> dict:
    unknown = set(fields) - LEAD_FIELDS
    if unknown:
        raise ValueError(f"Not lead fields: {sorted(unknown)}")
    cleaned = {
        name: (value.strip() if isinstance(value, str) else value) for name, value in fields.items()
    }
    errors: dict[str, list[str]] = {}

    def check(field, func):
        try:
            cleaned[field] = func(cleaned.get(field))
        except ValidationError as error:
            errors.setdefault(field, []).extend(error.messages)

    def company(value):
        if not value:
            raise ValidationError(_("Name the company."))
        return value

    def domain(value):
        return normalise_domain(value) if value else ""

    def country(value):
        return country_code(value or "")

    def contact_email(value):
        if value:
            validate_email(value)
        return (value or "").lower()

    def estimated_value(value):
        if value in (None, ""):
            return None
        try:
            amount = Decimal(str(value))
        except InvalidOperation as error:
            raise ValidationError(_("Enter an amount.")) from error
        if not amount.is_finite() or amount < 0:
            raise ValidationError(_("The value cannot be negative."))
        if amount >= Decimal("1e16"):
            raise ValidationError(_("This value is too large."))
        return amount.quantize(Decimal("0.01"), ROUND_HALF_UP)

    def currency(value):
        value = (value or "").upper()
        if value and (len(value) != 3 or not value.isalpha() or not value.isascii()):
            raise ValidationError(_("Use a three-letter currency code, such as EUR."))
        return value

    check("company_name", company)
    check("company_domain", domain)
    check("country", country)
    check("contact_email", contact_email)
    check("estimated_value", estimated_value)
    check("currency", currency)
    for field, limit in TEXT_LIMITS.items():
        if len(cleaned.get(field) or "") > limit:
            errors.setdefault(field, []).append(
                _("Keep this under %(n)d characters.") % {"n": limit + 1}
            )
    if (
        "estimated_value" not in errors
        and "currency" not in errors
        and cleaned.get("estimated_value") is not None
        and not cleaned.get("currency")
    ):
        errors["currency"] = [_("Give the currency of the estimated value.")]
    if errors:
        raise ValidationError(errors)
    for name, value in cleaned.items():
        if value is None and name != "estimated_value":
            cleaned[name] = ""
    return cleaned


@action(can_distribute_leads)
def lead_create(*, by: Membership, **fields) -> Lead:
    """Record a lead from the vendor.  The country is a two-letter code, the
    domain is normalised, the estimated value is not negative and comes with
    its currency."""
    fields.setdefault("country", "")
    fields.setdefault("company_name", "")
    cleaned = _clean_lead_fields(fields)
    with transaction.atomic():
        lead = Lead.objects.create(created_by=by.user, **cleaned)
        audit_record(actor=actor_user(by), action="lead.created", target=lead)
    return lead


@action(can_distribute_leads)
def lead_close(*, lead: Lead, by: Membership, reason: str = "") -> Lead:
    """Close a lead that has not become a registration; a pending offer is withdrawn."""
    with transaction.atomic():
        now = timezone.now()
        LeadOffer.objects.filter(lead_id=lead.pk, outcome=Outcome.PENDING).update(
            outcome=Outcome.WITHDRAWN, responded_at=now, responded_by=by.user
        )
        closed = Lead.objects.filter(pk=lead.pk, status__in=LEAD_CLOSABLE).update(
            status=Status.CLOSED
        )
        if closed != 1:
            raise ValidationError(_("This lead is already closed or converted."))
        audit_record(actor=actor_user(by), action="lead.closed", target=lead, reason=reason.strip())
    lead.status = Status.CLOSED
    return lead
