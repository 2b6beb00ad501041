"""The vendor's partner directory: search, filters and sorts of the list page,
the same for its CSV export (and later the API), in one query per page."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from prm.models import Membership

from ..domains import normalise_domain
from ..models import Partner, PartnerDomain, PartnerMembership, PartnerStatus
from ..types import partner_type_choices
from .organisations import partners_visible_to

SORTS = ("name", "-name", "status", "type", "country", "tier", "newest")
STATUS_ORDER = list(PartnerStatus.values)


@dataclass(frozen=True)
class PartnerFilters:
    """What the directory is narrowed to and sorted by; empty values match all.
    ``tier_id`` / ``account_manager_id`` of ``NOBODY`` mean "without one"."""

    text: str = ""
    partner_type: str = ""
    status: str = ""
    tier_id: int | None = None
    country: str = ""
    segment: str = ""
    account_manager_id: int | None = None
    sort: str = "name"


# A tier or account manager id meaning "none at all".
NOBODY = 0


def partner_directory(*, membership: Membership) -> QuerySet[Partner]:
    """The directory's rows: each partner with its tier, account manager, number of
    active people and domains, in one query however many rows are listed."""
    people = (
        PartnerMembership.objects.filter(partner=OuterRef("pk"), membership__is_active=True)
        .order_by()
        .values("partner")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    domains = (
        PartnerDomain.objects.filter(partner=OuterRef("pk")).order_by("domain").values("domain")
    )
    return (
        partners_visible_to(membership=membership)
        .select_related("tier", "account_manager")
        .annotate(people=Coalesce(Subquery(people), 0), domain_list=ArraySubquery(domains))
        .order_by("name", "pk")
    )


def partners_search(partners: QuerySet[Partner], term: str) -> QuerySet[Partner]:
    """Partners whose name, legal name or one of whose domains contains ``term``
    (case-insensitive). A pasted URL or e-mail address matches by its domain."""
    term = term.strip()
    if not term:
        return partners
    domain_term = term.lower()
    try:
        domain_term = normalise_domain(term)
    except ValidationError:
        pass
    in_domains = PartnerDomain.objects.filter(partner=OuterRef("pk"), domain__contains=domain_term)
    return partners.filter(
        Q(name__icontains=term) | Q(legal_name__icontains=term) | Exists(in_domains)
    )


def partner_countries(*, membership: Membership) -> list[str]:
    """The countries the visible partners are in (for the directory's filter)."""
    return list(
        partners_visible_to(membership=membership)
        .exclude(country="")
        .order_by("country")
        .values_list("country", flat=True)
        .distinct()
    )


def _filtered(partners: QuerySet[Partner], filters: PartnerFilters) -> QuerySet[Partner]:
    partners = partners_search(partners, filters.text)
    for field in ("partner_type", "status", "country", "segment"):
        if getattr(filters, field):
            partners = partners.filter(**{field: getattr(filters, field)})
    if filters.tier_id is not None:
        partners = partners.filter(tier_id=filters.tier_id or None)
    if filters.account_manager_id is not None:
        partners = partners.filter(account_manager_id=filters.account_manager_id or None)
    return partners


def _sorted(partners: QuerySet[Partner], sort: str) -> QuerySet[Partner]:
    if sort == "-name":
        return partners.order_by("-name", "-pk")
    if sort == "status":
        position = Case(
            *[When(status=s, then=Value(i)) for i, s in enumerate(STATUS_ORDER)],
            output_field=IntegerField(),
        )
        return partners.order_by(position, "name", "pk")
    if sort == "type":
        label = Case(
            *[When(partner_type=key, then=Value(str(lbl))) for key, lbl in partner_type_choices()],
            default=F("partner_type"),
        )
        return partners.order_by(label, "name", "pk")
    if sort == "country":
        blank_last = Case(When(country="", then=Value(1)), default=Value(0))
        return partners.order_by(blank_last, "country", "name", "pk")
    if sort == "tier":
        return partners.order_by(F("tier__rank").desc(nulls_last=True), "name", "pk")
    if sort == "newest":
        return partners.order_by("-created_at", "-pk")
    return partners.order_by("name", "pk")


def partner_directory_filtered(
    *, membership: Membership, filters: PartnerFilters
) -> QuerySet[Partner]:
    """The directory's rows matching ``filters``, in their order."""
    rows = partner_directory(membership=membership)
    return _sorted(_filtered(rows, filters), filters.sort)
