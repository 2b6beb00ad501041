"""Creating partners, keeping their profile, and moving them through their life cycle."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.signals import ModelSignal
from django.utils.translation import gettext as _

from prm.actions import action
from prm.actors import SystemActor, actor_user
from prm.audit import audit_record
from prm.models import Membership, User
from prm.policies import can_edit_partner_profile, can_manage_partners
from prm.roles import VENDOR_ROLES
from prm.text import LONG_TEXT, REASON_TEXT, length_problems

from ..domains import normalise_domains
from ..events import profile_completed_record
from ..metrics import profile_complete
from ..models import Partner, PartnerDomain, PartnerStatus, PartnerStatusChange
from ..selectors.organisations import domains_taken
from ..selectors.people import partner_id_of
from ..states import S, can_move_partner
from ..types import is_partner_type

# Fired after a partner's status changed: (sender=Partner, partner, from_status, to_status).
partner_status_changed = ModelSignal(use_caching=True)


# Fields the partner's own admin keeps up to date.
# The profile's free-text fields.
LONG_PROFILE_FIELDS = ("strengths", "markets", "certifications_held", "customer_references")
PROFILE_FIELDS = frozenset(
    {
        "website",
        "regions",
        "industries",
        "strengths",
        "markets",
        "certifications_held",
        "customer_references",
    }
)


def _check_account_manager(user: User | None) -> None:
    if user is None:
        return
    if not Membership.objects.filter(user=user, role__in=VENDOR_ROLES, is_active=True).exists():
        raise ValidationError({"account_manager": _("Choose a member of the vendor's staff.")})


@action(can_manage_partners)
def partner_create(
    *,
    by: Membership,
    name: str,
    partner_type: str,
    domains: list[str] | None = None,
    status: str = PartnerStatus.ONBOARDING,
    reason: str = "",
    **fields,
) -> Partner:
    """Create a partner with its domains; a name or domain already used in this
    tenant is refused (the database enforces both)."""
    if not is_partner_type(partner_type):
        raise ValidationError({"partner_type": _("Unknown partner type.")})
    domains = normalise_domains(domains or [])
    if Partner.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": _("A partner with this name already exists.")})
    taken = domains_taken(domains)
    if taken:
        raise ValidationError(
            {"domains": _("Already used by another partner: %(d)s") % {"d": ", ".join(taken)}}
        )
    _check_account_manager(fields.get("account_manager"))
    try:
        with transaction.atomic():
            partner = Partner(name=name.strip(), partner_type=partner_type, status=status, **fields)
            partner.full_clean(exclude=["tenant"])
            partner.save()
            PartnerDomain.objects.bulk_create(
                [PartnerDomain(partner=partner, domain=d) for d in domains]
            )
            PartnerStatusChange.objects.create(
                partner=partner, from_status="", to_status=status, by=by.user, reason=reason
            )
            audit_record(actor=by.user, action="partner.created", target=partner, status=status)
    except IntegrityError as error:
        # A concurrent request took the name or a domain between check and insert.
        raise ValidationError(_("This partner or one of its domains already exists.")) from error
    return partner


@action(can_manage_partners)
def partner_set_domains(*, partner: Partner, domains: list[str], by: Membership) -> None:
    domains = normalise_domains(domains)
    taken = domains_taken(domains, exclude_partner=partner)
    if taken:
        raise ValidationError(
            {"domains": _("Already used by another partner: %(d)s") % {"d": ", ".join(taken)}}
        )
    with transaction.atomic():
        PartnerDomain.objects.filter(partner=partner).exclude(domain__in=domains).delete()
        existing = set(
            PartnerDomain.objects.filter(partner=partner).values_list("domain", flat=True)
        )
        PartnerDomain.objects.bulk_create(
            [PartnerDomain(partner=partner, domain=d) for d in domains if d not in existing]
        )
        audit_record(
            actor=by.user, action="partner.domains_changed", target=partner, domains=domains
        )


@action(can_manage_partners)
def partner_update(*, partner: Partner, by: Membership, **fields) -> Partner:
    """Change profile or program fields (not status: see partner_change_status)."""
    return _update_fields(partner=partner, actor=by.user, fields=fields)


def _update_fields(*, partner: Partner, actor: User, fields: dict) -> Partner:
    """The write behind ``partner_update`` and the partner's own profile update;
    the caller has checked who may change which fields."""
    if "status" in fields or "tier" in fields:
        raise ValueError("Status and tier change through their own services.")
    too_long = length_problems(fields, dict.fromkeys(LONG_PROFILE_FIELDS, LONG_TEXT))
    if too_long:
        raise ValidationError(too_long)
    if "partner_type" in fields and not is_partner_type(fields["partner_type"]):
        raise ValidationError({"partner_type": _("Unknown partner type.")})
    if "account_manager" in fields:
        _check_account_manager(fields["account_manager"])
    if (
        "name" in fields
        and Partner.objects.filter(name__iexact=fields["name"].strip())
        .exclude(pk=partner.pk)
        .exists()
    ):
        raise ValidationError({"name": _("A partner with this name already exists.")})
    with transaction.atomic():
        was_complete = bool(profile_complete([partner.pk]))
        for name, value in fields.items():
            setattr(partner, name, value)
        partner.full_clean(exclude=["tenant"])
        partner.save()
        audit_record(actor=actor, action="partner.updated", target=partner, fields=sorted(fields))
        if not was_complete and profile_complete([partner.pk]):
            profile_completed_record(partner_id=partner.pk, actor=actor)
    return partner


@action(can_edit_partner_profile)
def partner_profile_update(*, partner: Partner, by: Membership, **fields) -> Partner:
    """The partner's admin updates the profile their organisation keeps; program
    fields (type, status, account manager, tier…) stay with the vendor."""
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise ValueError(f"Not part of the partner profile: {sorted(unknown)}")
    if partner.pk != partner_id_of(by):
        raise ValidationError(_("You may only change your own organisation's profile."))
    return _update_fields(partner=partner, actor=by.user, fields=fields)


@action(can_manage_partners, system=True)
def partner_change_status(
    *, partner: Partner, to_status: str, by: Membership | SystemActor, reason: str = ""
) -> Partner:
    """Move a partner along its life cycle; only the transitions in
    ALLOWED_TRANSITIONS are possible and each is recorded with who and why.
    Suspending or terminating requires a reason."""
    if not can_move_partner(partner, to_status):
        raise ValidationError(
            _("A partner cannot go from %(a)s to %(b)s.")
            % {"a": PartnerStatus(partner.status).label, "b": PartnerStatus(to_status).label}
        )
    if to_status in (S.SUSPENDED, S.TERMINATED) and not reason.strip():
        raise ValidationError({"reason": _("Give a reason.")})
    if length_problems({"reason": reason}, {"reason": REASON_TEXT}):
        raise ValidationError(length_problems({"reason": reason}, {"reason": REASON_TEXT}))
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        if locked.status != partner.status:
            raise ValidationError(_("The partner's status changed meanwhile; reload and retry."))
        from_status = locked.status
        Partner.objects.filter(pk=partner.pk).update(status=to_status)
        PartnerStatusChange.objects.create(
            partner=partner,
            from_status=from_status,
            to_status=to_status,
            by=actor_user(by),
            reason=reason,
        )
        audit_record(
            actor=actor_user(by),
            action="partner.status_changed",
            target=partner,
            from_status=from_status,
            to_status=to_status,
        )
        partner.status = to_status
        transaction.on_commit(
            lambda: partner_status_changed.send(
                sender=Partner, partner=partner, from_status=from_status, to_status=to_status
            )
        )
    return partner
