"""Payout profiles: the legal name, address, tax ID and payment details a
partner's statements and the accounts-payable export carry.

The partner's admin keeps the own organisation's profile; the vendor's staff
who manage partners may keep any.  A partner without a profile is paid under
its legal name (or name)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from partners.models import Partner
from partners.selectors.people import partner_id_of
from prm.actions import action
from prm.audit import audit_record
from prm.models import Membership
from prm.policies import can_edit_partner_profile, can_manage_partners
from prm.text import LINE_TEXT, length_problems

from ..models import PayoutProfile

LIMITS = {"legal_name": LINE_TEXT, "address": 1000, "tax_id": 60, "payment_details": 500}


def _clean(values: dict[str, str | None]) -> dict[str, str]:
    unknown = set(values) - set(LIMITS)
    if unknown:
        raise ValueError(f"Not part of the payout profile: {sorted(unknown)}")
    cleaned = {name: (value or "").strip() for name, value in values.items()}
    problems = length_problems(cleaned, LIMITS)
    if problems:
        raise ValidationError(problems)
    return cleaned


def _save(partner: Partner, by: Membership, values: dict) -> PayoutProfile:
    fields = {**_clean(values), "updated_by": by}
    try:
        with transaction.atomic():
            profile, _created = PayoutProfile.objects.update_or_create(
                partner=partner, defaults=fields
            )
    except IntegrityError:
        # A second save of a first profile at the same moment: update that one.
        profile, _created = PayoutProfile.objects.update_or_create(partner=partner, defaults=fields)
    # The values are bank and tax data: the trail names the fields only.
    audit_record(
        actor=by.user, action="payout_profile.saved", target=partner, fields=sorted(values)
    )
    return profile


@action(can_manage_partners)
def payout_profile_save(*, partner: Partner, by: Membership, **values: str) -> PayoutProfile:
    """The vendor's staff set any partner's payout profile."""
    with transaction.atomic():
        return _save(partner, by, values)


@action(can_edit_partner_profile)
def payout_profile_save_own(*, partner: Partner, by: Membership, **values: str) -> PayoutProfile:
    """A partner's admin sets the own organisation's payout profile."""
    if partner.pk != partner_id_of(by):
        raise ValidationError(_("You may only change your own organisation's payout profile."))
    with transaction.atomic():
        return _save(partner, by, values)
