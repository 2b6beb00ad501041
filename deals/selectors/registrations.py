"""Read queries of the registration flow, narrowed to what a membership may see.

Partner users see their own organisation's registrations (all of them, whoever
registered); vendor roles see the tenant's.  A lookup by id gives the same 404
for a registration that does not exist and one that is not yours.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from partners.domains import normalise_domain
from partners.models import Partner, PartnerStatus
from partners.selectors.agreements import agreement_standing
from partners.selectors.people import partner_id_of
from prm.exports import safe_cell
from prm.models import AuditEvent, Membership

from ..conflicts import Candidate, competing_direct_accounts, competing_registrations
from ..models import (
    DealConflict,
    DealProduct,
    DealRegistration,
    DealTransition,
    DirectAccount,
    Lead,
    Product,
    RevenueLine,
)
from ..models import RegistrationStatus as S
from ..normalise import customer_key
from ..states import AWAITING_DECISION
from .rules import deal_settings

EXPIRING_DAYS = 14
REGISTERING_STATUSES = frozenset({PartnerStatus.ACTIVE, PartnerStatus.ONBOARDING})


def registrations_visible_to(*, membership: Membership) -> QuerySet[DealRegistration]:
    registrations = DealRegistration.objects.all()
    if membership.is_partner:
        registrations = registrations.filter(partner_id=partner_id_of(membership))
    return registrations


def registration_get(*, membership: Membership, registration_id: int) -> DealRegistration:
    registration = (
        registrations_visible_to(membership=membership)
        .select_related("partner", "registered_by", "decided_by", "lead")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        raise Http404
    return registration


def active_products() -> QuerySet[Product]:
    return Product.objects.filter(is_active=True).order_by("product_line", "name", "pk")


def _listing(registrations: QuerySet[DealRegistration]) -> QuerySet[DealRegistration]:
    """Rows for list pages: partner and product names in the same query."""
    names = (
        DealProduct.objects.filter(registration=OuterRef("pk"))
        .order_by("product__name")
        .values("product__name")
    )
    return registrations.select_related("partner").annotate(product_names=ArraySubquery(names))


@dataclass(frozen=True)
class RegistrationFilters:
    status: str = ""
    stage: str = ""
    text: str = ""
    partner_id: int | None = None
    product_id: int | None = None
    country: str = ""
    created_from: datetime.date | None = None
    created_to: datetime.date | None = None


def _text_match(text: str) -> Q:
    match = Q(customer_name__icontains=text) | Q(contact_name__icontains=text)
    try:
        match |= Q(customer_domain=normalise_domain(text))
    except ValidationError:
        pass
    return match


def registrations_filtered(
    *, membership: Membership, filters: RegistrationFilters
) -> QuerySet[DealRegistration]:
    """The visible registrations matching ``filters`` (plain rows, for totals);
    ``registration_rows`` turns them into list rows."""
    rows = registrations_visible_to(membership=membership)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.stage:
        rows = rows.filter(stage=filters.stage)
    if filters.text.strip():
        rows = rows.filter(_text_match(filters.text.strip()))
    if filters.partner_id:
        rows = rows.filter(partner_id=filters.partner_id)
    if filters.product_id:
        rows = rows.filter(
            Exists(
                DealProduct.objects.filter(
                    registration=OuterRef("pk"), product_id=filters.product_id
                )
            )
        )
    if filters.country:
        rows = rows.filter(customer_country=filters.country.upper())
    if filters.created_from:
        rows = rows.filter(created_at__date__gte=filters.created_from)
    if filters.created_to:
        rows = rows.filter(created_at__date__lte=filters.created_to)
    return rows


def registration_rows(registrations: QuerySet[DealRegistration]) -> QuerySet[DealRegistration]:
    """List rows, newest first, with partner and product names in the same query."""
    return _listing(registrations).order_by("-created_at", "-pk")


def pipeline_totals(registrations: QuerySet[DealRegistration]) -> list[dict]:
    """Value per status and currency (never summed across currencies): what was
    won for won deals (their final amount, the sum of their revenue lines), the
    estimate for every other status."""
    order = {status: i for i, status in enumerate(S.values)}
    value = Case(
        When(status=S.WON, won_amount__isnull=False, then=F("won_amount")),
        default=F("estimated_value"),
    )
    rows = list(
        registrations.order_by()
        .values("status", "currency")
        .annotate(count=Count("pk"), total=Sum(value))
    )
    labels = dict(S.choices)
    for row in rows:
        row["label"] = labels[row["status"]]
    return sorted(rows, key=lambda r: (order[r["status"]], r["currency"]))


def expiring_soon(*, membership: Membership, days: int = EXPIRING_DAYS):
    """Approved registrations whose protection ends within ``days``, soonest first."""
    today = timezone.localdate()
    return (
        registrations_visible_to(membership=membership)
        .filter(
            status=S.APPROVED,
            protected_until__gte=today,
            protected_until__lte=today + datetime.timedelta(days=days),
        )
        .order_by("protected_until", "pk")
    )


def _either_side(registration) -> Q:
    """Conflicts a registration is part of, whichever side recorded them: the
    later registration records the earlier one, and both must show it."""
    return Q(registration=registration) | Q(other_registration=registration)


def _conflict_counts(rows: QuerySet[DealRegistration]) -> QuerySet[DealRegistration]:
    """Each row's number of competing records (its own conflicts, plus those
    recorded by a registration that found it and it did not find back) and
    whether a competitor on either side still awaits a decision."""

    def counted(conflicts: QuerySet[DealConflict], side: str) -> Subquery:
        return Subquery(conflicts.order_by().values(side).annotate(n=Count("pk")).values("n")[:1])

    found_back = DealConflict.objects.filter(
        registration=OuterRef("other_registration"), other_registration=OuterRef("registration")
    )
    own = DealConflict.objects.filter(registration=OuterRef("pk"))
    found_by_others = DealConflict.objects.filter(other_registration=OuterRef("pk")).exclude(
        Exists(found_back)
    )
    open_rival = DealConflict.objects.filter(
        Q(registration=OuterRef("pk"), other_registration__status__in=AWAITING_DECISION)
        | Q(other_registration=OuterRef("pk"), registration__status__in=AWAITING_DECISION)
    )
    return rows.annotate(
        conflict_count=Coalesce(counted(own, "registration"), 0)
        + Coalesce(counted(found_by_others, "other_registration"), 0),
        open_competitor=Exists(open_rival),
    )


@dataclass(frozen=True)
class QueueFilters:
    partner_id: int | None = None
    country: str = ""
    min_age_hours: int | None = None
    status: str = ""


def approval_queue(*, membership: Membership, filters: QueueFilters) -> QuerySet:
    """Submitted and more-info registrations, oldest submission first, each with
    its number of recorded conflicts and whether a competitor is still open."""
    rows = registrations_visible_to(membership=membership).filter(status__in=AWAITING_DECISION)
    if filters.status in AWAITING_DECISION:
        rows = rows.filter(status=filters.status)
    if filters.partner_id:
        rows = rows.filter(partner_id=filters.partner_id)
    if filters.country:
        rows = rows.filter(customer_country=filters.country.upper())
    if filters.min_age_hours:
        rows = rows.filter(
            submitted_at__lte=timezone.now() - datetime.timedelta(hours=filters.min_age_hours)
        )
    return _conflict_counts(_listing(rows)).order_by("submitted_at", "pk")


def sla_of(registration: DealRegistration, *, now=None, sla_hours: int) -> tuple[int, bool]:
    """Whole hours since submission, and whether the approval target is missed."""
    if registration.submitted_at is None:
        return 0, False
    hours = int(((now or timezone.now()) - registration.submitted_at).total_seconds() // 3600)
    return hours, hours >= sla_hours


def conflict_list(*, membership: Membership) -> QuerySet[DealConflict]:
    """Recorded conflicts of the visible registrations, newest first, each once:
    when both registrations recorded the other, the first record stands for the pair."""
    recorded_before = DealConflict.objects.filter(
        registration=OuterRef("other_registration"),
        other_registration=OuterRef("registration"),
        pk__lt=OuterRef("pk"),
    )
    return (
        DealConflict.objects.filter(
            registration__in=registrations_visible_to(membership=membership)
        )
        .exclude(Exists(recorded_before))
        .select_related("registration__partner", "other_registration__partner", "direct_account")
        .order_by("-found_at", "-pk")
    )


@dataclass(frozen=True)
class ConflictSide:
    """A recorded conflict as one registration sees it: what it competes with,
    whichever of the two registrations recorded it."""

    conflict: DealConflict
    other_registration: DealRegistration | None
    direct_account: DirectAccount | None

    @property
    def other_registration_id(self) -> int | None:
        return self.other_registration.pk if self.other_registration else None

    @property
    def direct_account_id(self) -> int | None:
        return self.direct_account.pk if self.direct_account else None

    @property
    def match(self) -> str:
        return self.conflict.match

    def get_match_display(self) -> str:
        return self.conflict.get_match_display()

    @property
    def similarity(self):
        return self.conflict.similarity

    @property
    def found_at(self) -> datetime.datetime:
        return self.conflict.found_at

    @property
    def found_by_other(self) -> bool:
        """Recorded when the other registration was checked (it came later)."""
        return self.other_registration is not None and (
            self.conflict.registration_id == self.other_registration.pk
        )


def registration_conflicts(*, registration: DealRegistration) -> list[ConflictSide]:
    """The registration's competing records, each once, in one query: its own
    conflicts and those a later registration recorded against it (seen from
    this side).  Vendor pages only — never show them to a partner."""
    rows = (
        DealConflict.objects.filter(_either_side(registration))
        .select_related("registration__partner", "other_registration__partner", "direct_account")
        .order_by("pk")
    )
    sides: dict[tuple[str, int], ConflictSide] = {}
    for row in rows:
        if row.registration_id == registration.pk:
            side = ConflictSide(row, row.other_registration, row.direct_account)
        else:
            side = ConflictSide(row, row.registration, None)
        key = ("r", side.other_registration.pk) if side.other_registration else ("a", row.pk)
        # When both recorded each other, this registration's own record stands.
        if key not in sides or row.registration_id == registration.pk:
            sides[key] = side
    return sorted(sides.values(), key=lambda side: side.conflict.pk)


@dataclass
class RegistrationDetail:
    registration: DealRegistration
    products: list[Product]
    history: list[DealTransition]
    extension_events: list[AuditEvent]
    revenue_lines: list[RevenueLine]
    conflicts: list[ConflictSide]


def registration_products(*, registration: DealRegistration) -> QuerySet[Product]:
    return Product.objects.filter(
        pk__in=DealProduct.objects.filter(registration=registration).values("product_id")
    ).order_by("name", "pk")


def registration_block_reason(*, partner: Partner) -> str | None:
    """Why the partner may not register deals now, or None: only active or
    onboarding partners register, and not once they are past their own
    accept-by date of the current agreement without accepting it."""
    if partner.status not in REGISTERING_STATUSES:
        return _("Your organisation cannot register deals in its current status.")
    standing = agreement_standing(partner=partner)
    if standing.blocked:
        return _(
            "Your organisation had to accept version %(version)s of the partner agreement by "
            "%(date)s. Deals can be registered again once a partner admin accepts it."
        ) % {"version": standing.agreement.version, "date": date_format(standing.deadline)}
    return None


def registration_detail(*, membership: Membership, registration_id: int) -> RegistrationDetail:
    """Everything the detail pages show.  Conflicts (other partners' records) are
    only ever loaded for vendor roles."""
    registration = registration_get(membership=membership, registration_id=registration_id)
    conflicts = []
    if membership.is_vendor:
        conflicts = registration_conflicts(registration=registration)
    return RegistrationDetail(
        registration=registration,
        products=list(registration_products(registration=registration)),
        history=list(DealTransition.objects.filter(registration=registration).select_related("by")),
        extension_events=list(
            AuditEvent.objects.filter(
                target_type=DealRegistration._meta.label_lower,
                target_id=registration.pk,
                action__startswith="registration.extension_",
            )
            .select_related("actor")
            .order_by("created_at", "pk")
        ),
        revenue_lines=list(
            RevenueLine.objects.filter(registration=registration)
            .select_related("product")
            .order_by("pk")
        ),
        conflicts=conflicts,
    )


def possible_conflict(
    *, membership: Membership, customer_name: str, customer_domain: str, product_ids
) -> bool:
    """Whether registering this customer would compete with another partner's open
    registration or a direct account.  Answers yes or no, never with whom."""
    key = customer_key(customer_name or "")
    domain = ""
    if (customer_domain or "").strip():
        try:
            domain = normalise_domain(customer_domain)
        except ValidationError:
            domain = ""
    if not key and not domain:
        return False
    ids = tuple(
        Product.objects.filter(pk__in=product_ids, is_active=True).values_list("pk", flat=True)
    )
    candidate = Candidate(
        customer_key=key,
        customer_domain=domain,
        product_ids=ids,
        partner_id=partner_id_of(membership),
    )
    if ids and competing_registrations(candidate):
        return True
    return deal_settings().direct_accounts_off_limits and bool(competing_direct_accounts(candidate))


def convertible_lead(*, membership: Membership, lead_id: int) -> Lead:
    """An accepted lead of the member's partner, not yet converted; 404 otherwise."""
    lead = Lead.objects.filter(
        pk=lead_id, partner_id=partner_id_of(membership), status=Lead.Status.ACCEPTED
    ).first()
    if lead is None or not membership.is_partner:
        raise Http404
    return lead


EXPORT_COLUMNS = [
    "id",
    "partner",
    "customer",
    "domain",
    "country",
    "products",
    "estimated_value",
    "currency",
    "stage",
    "status",
    "expected_close_date",
    "submitted_at",
    "protected_until",
    "won_amount",
    "created_at",
]


def registration_export_rows(rows: QuerySet[DealRegistration]) -> Iterator[list[str]]:
    """CSV rows of ``registrations_filtered`` results, fetched in chunks."""
    for r in rows.iterator(chunk_size=500):
        values = [
            str(r.pk),
            r.partner.name,
            r.customer_name,
            r.customer_domain,
            r.customer_country,
            ";".join(r.product_names),
            str(r.estimated_value),
            r.currency,
            r.stage,
            r.status,
            r.expected_close_date.isoformat() if r.expected_close_date else "",
            r.submitted_at.isoformat() if r.submitted_at else "",
            r.protected_until.isoformat() if r.protected_until else "",
            "" if r.won_amount is None else str(r.won_amount),
            r.created_at.isoformat(),
        ]
        yield [safe_cell(v) for v in values]


def partner_deals(*, membership: Membership, partner: Partner, limit: int = 10) -> dict:
    """The deals part of a partner's 360 page: totals per status and currency,
    and the latest registrations."""
    registrations = registrations_visible_to(membership=membership).filter(partner=partner)
    return {
        "totals": pipeline_totals(registrations),
        "latest": list(registration_rows(registrations)[:limit]),
    }
