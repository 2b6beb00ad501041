"""Read queries over partner organisations, narrowed to what a membership may see."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from prm.exports import safe_cell
from prm.models import AuditEvent, Membership

from ..models import (
    Agreement,
    AgreementAcceptance,
    CustomPartnerType,
    KpiDefinition,
    KpiValue,
    Partner,
    PartnerDomain,
    PartnerStatus,
    PartnerStatusChange,
    TierChange,
)
from .agreements import acceptance_of, current_agreement
from .onboarding import Progress, onboarding_progress
from .people import partner_id_of

TIMELINE_LIMIT = 50
PICK_LIMIT = 20
PICK_TEXT = 100  # longer search text is cut: no partner name is longer than 200


def partners_visible_to(*, membership: Membership) -> QuerySet[Partner]:
    """Vendor roles see every partner of the tenant; partner users only their own."""
    partners = Partner.objects.all()
    if membership.is_partner:
        partners = partners.filter(pk=partner_id_of(membership))
    return partners


def partners_pickable(*, membership: Membership, active_only: bool = False) -> QuerySet[Partner]:
    """The partners a partner picker may choose for the member: those it sees,
    only the active ones when ``active_only`` (a lead is offered to those only)."""
    partners = partners_visible_to(membership=membership)
    if active_only:
        partners = partners.filter(status=PartnerStatus.ACTIVE)
    return partners


def partners_matching(
    *,
    membership: Membership,
    text: str = "",
    limit: int = PICK_LIMIT,
    active_only: bool = False,
) -> list[dict]:
    """What the partner picker suggests: at most ``limit`` (capped at PICK_LIMIT)
    pickable partners whose name or legal name contains ``text`` in any case, by
    name, as ``{"id", "name"}``; without text, the first ones by name.  One
    query over the tenant's partners, whatever the text."""
    partners = partners_pickable(membership=membership, active_only=active_only)
    text = text.replace("\x00", "").strip()[:PICK_TEXT]
    if text:
        partners = partners.filter(Q(name__icontains=text) | Q(legal_name__icontains=text))
    limit = max(0, min(limit, PICK_LIMIT))
    return list(partners.order_by("name", "pk").values("id", "name")[:limit])


def partner_list(*, membership: Membership) -> QuerySet[Partner]:
    return partners_visible_to(membership=membership).annotate(
        people=Count("members", filter=Q(members__membership__is_active=True))
    )


def partner_status_counts(*, membership: Membership) -> dict[str, int]:
    """How many partners the member sees in each status (partners, not their
    people: no join to memberships)."""
    counted = partners_visible_to(membership=membership).order_by().values_list("status")
    return dict(counted.annotate(n=Count("id")))


def partner_get(*, membership: Membership, partner_id: int) -> Partner:
    """The same 404 for a partner that does not exist and one that is not yours."""
    partner = partners_visible_to(membership=membership).filter(pk=partner_id).first()
    if partner is None:
        raise Http404
    return partner


def _joined(values: Iterable[str]) -> str:
    return ";".join(values)


def partner_export_rows(partners: QuerySet[Partner]) -> Iterator[list[str]]:
    """Rows of the CSV export, in the import template's columns plus tier and
    people; ``partners`` should come from ``partner_directory``. Types, segments
    and statuses are written as keys, so an exported file imports again."""
    for partner in partners.iterator(chunk_size=500):
        manager = partner.account_manager
        row = [
            partner.name,
            partner.legal_name,
            partner.website,
            _joined(partner.domain_list),
            partner.country,
            _joined(partner.regions),
            _joined(partner.industries),
            partner.partner_type,
            partner.segment,
            partner.status,
            manager.email if manager else "",
            partner.tier.name if partner.tier else "",
            str(partner.people),
        ]
        yield [safe_cell(value) for value in row]


# --- partner 360 -----------------------------------------------------------------


@dataclass
class AgreementStatus:
    agreement: Agreement | None
    acceptance: AgreementAcceptance | None


@dataclass
class PartnerOverview:
    partner: Partner
    domains: list[str]
    status_history: list[PartnerStatusChange]
    team: list[Membership]
    tier_history: list[TierChange]
    agreement: AgreementStatus
    onboarding: Progress | None
    kpis: list[KpiDefinition]
    timeline: list[AuditEvent] = field(default_factory=list)


def partner_overview(*, membership: Membership, partner_id: int) -> PartnerOverview:
    """Everything the partner 360 page shows, each part in one query."""
    partner = (
        partners_visible_to(membership=membership)
        .select_related("tier", "account_manager")
        .filter(pk=partner_id)
        .first()
    )
    if partner is None:
        raise Http404
    return PartnerOverview(
        partner=partner,
        domains=list(
            PartnerDomain.objects.filter(partner=partner)
            .order_by("domain")
            .values_list("domain", flat=True)
        ),
        status_history=list(
            PartnerStatusChange.objects.filter(partner=partner).select_related("by")
        ),
        team=list(
            Membership.objects.filter(partner_link__partner=partner)
            .select_related("user")
            .order_by("-is_active", "user__email")
        ),
        tier_history=list(
            TierChange.objects.filter(partner=partner).select_related(
                "from_tier", "to_tier", "decided_by"
            )
        ),
        agreement=_agreement_status(partner),
        onboarding=onboarding_progress(partner=partner),
        kpis=list(
            KpiDefinition.objects.annotate(
                value=Subquery(
                    KpiValue.objects.filter(kpi=OuterRef("pk"), partner=partner).values("value")[:1]
                )
            ).order_by("name")
        ),
        timeline=list(
            AuditEvent.objects.filter(target_type=Partner._meta.label_lower, target_id=partner.pk)
            .select_related("actor")
            .order_by("-created_at", "-id")[:TIMELINE_LIMIT]
        ),
    )


def _agreement_status(partner: Partner) -> AgreementStatus:
    current = current_agreement()
    return AgreementStatus(
        agreement=current, acceptance=acceptance_of(partner=partner, agreement=current)
    )


def custom_partner_types() -> QuerySet[CustomPartnerType]:
    return CustomPartnerType.objects.order_by("name")


def custom_partner_type_get(*, type_id: int) -> CustomPartnerType:
    partner_type = CustomPartnerType.objects.filter(pk=type_id).first()
    if partner_type is None:
        raise Http404
    return partner_type


def kpi_definitions() -> QuerySet[KpiDefinition]:
    return KpiDefinition.objects.order_by("name")


def kpi_definition_get(*, kpi_id: int) -> KpiDefinition:
    kpi = KpiDefinition.objects.filter(pk=kpi_id).first()
    if kpi is None:
        raise Http404
    return kpi


def domains_taken(domains: list[str], *, exclude_partner: Partner | None = None) -> list[str]:
    """The ones of ``domains`` another partner of the tenant already has."""
    taken = PartnerDomain.objects.filter(domain__in=domains)
    if exclude_partner is not None:
        taken = taken.exclude(partner=exclude_partner)
    return sorted(taken.values_list("domain", flat=True))
