"""The vendor's directory: editing partners, the profile partners keep, custom
partner types, custom KPIs and their values."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from prm.actions import action
from prm.audit import audit_record
from prm.models import Membership
from prm.policies import can_manage_partners

from ..domains import normalise_domains
from ..metrics import KPI_PREFIX
from ..models import (
    CustomPartnerType,
    KpiDefinition,
    KpiValue,
    OnboardingPlan,
    OnboardingStep,
    Partner,
    PartnerApplication,
    PartnerDomain,
    PartnerType,
    TierRequirement,
)
from .organisations import partner_set_domains, partner_update

# Fields a vendor edits as part of running the program.
PROGRAM_FIELDS = frozenset(
    {
        "name",
        "legal_name",
        "website",
        "country",
        "regions",
        "industries",
        "partner_type",
        "segment",
        "account_manager",
    }
)


@action(can_manage_partners)
def partner_edit(*, partner: Partner, by: Membership, domains: list[str], **fields) -> Partner:
    """Change a partner's program fields and domains together: either both are
    saved or, when anything is refused, neither."""
    unknown = set(fields) - PROGRAM_FIELDS
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    current = set(PartnerDomain.objects.filter(partner=partner).values_list("domain", flat=True))
    with transaction.atomic():
        if fields:
            partner_update(partner=partner, by=by, **fields)
        if set(normalise_domains(domains)) != current:
            partner_set_domains(partner=partner, domains=domains, by=by)
    return partner


# --- custom partner types ---------------------------------------------------------


@action(can_manage_partners)
def custom_partner_type_create(*, by: Membership, key: str, name: str) -> CustomPartnerType:
    """Add a vendor's own partner type. Its key never shadows a built-in type, and
    neither key nor name repeats one the vendor already has."""
    key, name = key.strip().lower(), name.strip()
    builtin_labels = {str(label).lower() for label in PartnerType.labels}
    if key in PartnerType.values:
        raise ValidationError({"key": _("This key belongs to a built-in partner type.")})
    if CustomPartnerType.objects.filter(key=key).exists():
        raise ValidationError({"key": _("You already have a partner type with this key.")})
    if (
        name.lower() in builtin_labels
        or CustomPartnerType.objects.filter(name__iexact=name).exists()
    ):
        raise ValidationError({"name": _("A partner type with this name already exists.")})
    partner_type = CustomPartnerType(key=key, name=name)
    partner_type.full_clean(exclude=["tenant"], validate_constraints=False)
    try:
        with transaction.atomic():
            partner_type.save()
            audit_record(actor=by.user, action="partner_type.created", target=partner_type, key=key)
    except IntegrityError as error:
        raise ValidationError(
            {"key": _("You already have a partner type with this key.")}
        ) from error
    return partner_type


@action(can_manage_partners)
def custom_partner_type_delete(*, partner_type: CustomPartnerType, by: Membership) -> None:
    """Remove a custom type nobody uses: no partner, application or onboarding plan."""
    key = partner_type.key
    partners = Partner.objects.filter(partner_type=key).count()
    if partners:
        raise ValidationError(
            ngettext(
                "%(n)d partner has this type; change it first.",
                "%(n)d partners have this type; change them first.",
                partners,
            )
            % {"n": partners}
        )
    if (
        PartnerApplication.objects.filter(partner_type=key).exists()
        or OnboardingPlan.objects.filter(partner_type=key).exists()
    ):
        raise ValidationError(
            _("Applications or onboarding plans use this type; change them first.")
        )
    with transaction.atomic():
        audit_record(actor=by.user, action="partner_type.deleted", target=partner_type, key=key)
        partner_type.delete()


# --- custom KPIs -----------------------------------------------------------------


@action(can_manage_partners)
def kpi_definition_create(*, by: Membership, key: str, name: str) -> KpiDefinition:
    """Add a custom KPI; tiers and onboarding refer to it as ``kpi:<key>``."""
    key, name = key.strip().lower(), name.strip()
    if KpiDefinition.objects.filter(key=key).exists():
        raise ValidationError({"key": _("You already have a KPI with this key.")})
    kpi = KpiDefinition(key=key, name=name)
    kpi.full_clean(exclude=["tenant"], validate_constraints=False)
    try:
        with transaction.atomic():
            kpi.save()
            audit_record(actor=by.user, action="kpi.created", target=kpi, key=key)
    except IntegrityError as error:
        raise ValidationError({"key": _("You already have a KPI with this key.")}) from error
    return kpi


@action(can_manage_partners)
def kpi_definition_delete(*, kpi: KpiDefinition, by: Membership) -> None:
    """Remove a custom KPI and its values, unless a tier requirement or an
    onboarding step still measures it."""
    metric = KPI_PREFIX + kpi.key
    if (
        TierRequirement.objects.filter(metric=metric).exists()
        or OnboardingStep.objects.filter(metric=metric).exists()
    ):
        raise ValidationError(
            _("A tier requirement or onboarding step uses this KPI; change it first.")
        )
    with transaction.atomic():
        audit_record(actor=by.user, action="kpi.deleted", target=kpi, key=kpi.key)
        kpi.delete()


@action(can_manage_partners)
def partner_kpis_set(
    *, partner: Partner, values: dict[int, Decimal | None], by: Membership
) -> None:
    """Record a partner's current KPI values (``{kpi_id: value}``); ``None`` clears
    a value. One upsert and one delete, whatever the number of KPIs."""
    keys = dict(KpiDefinition.objects.filter(pk__in=values).values_list("pk", "key"))
    if set(values) - set(keys):
        raise ValidationError(_("Unknown KPI."))
    to_set = {kpi_id: value for kpi_id, value in values.items() if value is not None}
    to_clear = [kpi_id for kpi_id, value in values.items() if value is None]
    with transaction.atomic():
        if to_set:
            KpiValue.objects.bulk_create(
                [
                    KpiValue(kpi_id=kpi_id, partner=partner, value=value)
                    for kpi_id, value in to_set.items()
                ],
                update_conflicts=True,
                unique_fields=["tenant", "kpi", "partner"],
                update_fields=["value", "updated_at"],
            )
        if to_clear:
            KpiValue.objects.filter(partner=partner, kpi_id__in=to_clear).delete()
        audit_record(
            actor=by.user,
            action="partner.kpis_changed",
            target=partner,
            values={keys[k]: (None if v is None else str(v)) for k, v in values.items()},
        )
