"""Payout statements and payout profiles: who may see which statement, a
run's progress while its statements are rendered, what a statement shows,
and the rows of a run's accounts-payable export.

Vendor staff who may see payouts see every statement; a partner admin the own
partner's; a rep only the statements of their own (SPIF) payouts.  A
statement of someone else is the same 404 as one that does not exist."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from partners.models import Partner
from partners.selectors.people import partner_id_of
from prm import policies
from prm.models import Membership, Tenant

from ..models import (
    Payout,
    PayoutItem,
    PayoutPayment,
    PayoutProfile,
    PayoutRun,
    Statement,
    StatementStatus,
)


def default_statement_language(tenant: Tenant) -> str:
    """The language statements are issued in unless asked otherwise: the
    tenant's locale (or its language, for ``de-CH``), else the site's."""
    known = dict(settings.LANGUAGES)
    locale = (tenant.locale or "").lower()
    for candidate in (locale, locale.split("-")[0]):
        if candidate in known:
            return candidate
    return settings.LANGUAGE_CODE


def statements_visible_to(*, membership: Membership) -> QuerySet[Statement]:
    base = Statement.objects.select_related("run__program", "partner", "person__user")
    if policies.can_view_payouts(membership):
        return base
    partner_id = partner_id_of(membership)
    if partner_id is None or not policies.can_see_own_earnings(membership):
        return Statement.objects.none()
    mine = base.filter(partner_id=partner_id)
    if policies.can_see_partner_earnings(membership):
        return mine
    return mine.filter(person=membership)


def statement_get(*, membership: Membership, statement_id: int) -> Statement:
    statement = statements_visible_to(membership=membership).filter(pk=statement_id).first()
    if statement is None:
        raise Http404
    return statement


def my_statements(*, membership: Membership) -> QuerySet[Statement]:
    """The portal's list: ready statements the person may see, newest first."""
    return statements_visible_to(membership=membership).filter(status=StatementStatus.READY)


@dataclass(frozen=True)
class StatementProgress:
    """How far a run's statements are: ``ready`` of ``total`` rendered,
    ``failed`` given up on, and ``unissued`` payees with items but no
    statement yet."""

    ready: int
    failed: int
    total: int
    unissued: int

    @property
    def pending(self) -> int:
        return self.total - self.ready - self.failed

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.ready * 100 // self.total

    @property
    def working(self) -> bool:
        return self.pending > 0


def _payees_with_items(run_id: int) -> QuerySet[Payout]:
    return Payout.objects.filter(run_id=run_id).filter(
        Exists(PayoutItem.objects.filter(payout=OuterRef("pk")))
    )


def statement_progress(*, run: PayoutRun) -> StatementProgress:
    """Counted in two queries; every rendered statement is committed on its
    own, so the count moves while the workers go."""
    counts = Statement.objects.filter(run=run).aggregate(
        total=Count("pk"),
        ready=Count("pk", filter=Q(status=StatementStatus.READY)),
        failed=Count("pk", filter=Q(status=StatementStatus.FAILED)),
    )
    unissued = (
        _payees_with_items(run.pk)
        .exclude(Exists(Statement.objects.filter(payout=OuterRef("pk"))))
        .count()
    )
    return StatementProgress(
        ready=counts["ready"], failed=counts["failed"], total=counts["total"], unissued=unissued
    )


def payees_to_issue(*, run: PayoutRun) -> QuerySet[Payout]:
    """The run's payees with items and no statement yet, in numbering order."""
    return (
        _payees_with_items(run.pk)
        .exclude(Exists(Statement.objects.filter(payout=OuterRef("pk"))))
        .order_by("partner__name", "person_id", "pk")
    )


def run_payees(*, run: PayoutRun) -> QuerySet[Payout]:
    """The run's payouts with their statement (if any), for the run's statements page."""
    statement = Statement.objects.filter(payout=OuterRef("pk"))
    return (
        Payout.objects.filter(run=run)
        .select_related("partner", "person__user")
        .annotate(
            statement_id=Subquery(statement.values("pk")[:1]),
            statement_number=Subquery(statement.values("number")[:1]),
            statement_status=Subquery(statement.values("status")[:1]),
            statement_ready=Exists(statement.filter(status=StatementStatus.READY)),
            item_count=Count("items"),
        )
        .order_by("partner__name", "pk")
    )


def run_statement_files(*, run: PayoutRun) -> list[Statement]:
    """The run's rendered statements with their payee, for the ZIP download."""
    return list(
        Statement.objects.filter(run=run, status=StatementStatus.READY)
        .select_related("partner", "person__user")
        .order_by("sequence")
    )


# --- payout profiles ------------------------------------------------------------------


def payout_profile_of(*, partner_id: int) -> PayoutProfile | None:
    return PayoutProfile.objects.filter(partner_id=partner_id).first()


@dataclass(frozen=True)
class Payee:
    """Who a statement is made out to: the payout profile, falling back to the
    partner's legal name or name."""

    legal_name: str
    address: str
    tax_id: str
    payment_details: str
    person: str


def payee_of(partner: Partner, profile: PayoutProfile | None, person=None) -> Payee:
    legal_name = (profile and profile.legal_name) or partner.legal_name or partner.name
    return Payee(
        legal_name=legal_name,
        address=profile.address if profile else "",
        tax_id=profile.tax_id if profile else "",
        payment_details=profile.payment_details if profile else "",
        person=str(person.user) if person is not None else "",
    )


def payment_of(payout: Payout) -> PayoutPayment | None:
    """The payout's payment, from ``select_related("payment")``; None when unpaid."""
    try:
        return payout.payment
    except PayoutPayment.DoesNotExist:
        return None


# --- what a statement shows --------------------------------------------------------------


@dataclass
class StatementSources:
    """Everything a statement is rendered from, read in a fixed number of queries."""

    statement: Statement
    tenant: Tenant
    run: PayoutRun
    payout: Payout
    payee: Payee
    items: list[PayoutItem]
    payment: PayoutPayment | None


def _items(payout_ids) -> QuerySet[PayoutItem]:
    return (
        PayoutItem.objects.filter(payout_id__in=payout_ids)
        .select_related("revenue_line", "registration", "previous_payout__run")
        .order_by("payout_id", "pk")
    )


def statement_sources(*, statement_id: int) -> StatementSources:
    statement = Statement.objects.select_related(
        "tenant", "run__program", "payout", "partner", "person__user"
    ).get(pk=statement_id)
    payout = statement.payout
    return StatementSources(
        statement=statement,
        tenant=statement.tenant,
        run=statement.run,
        payout=payout,
        payee=payee_of(
            statement.partner, payout_profile_of(partner_id=statement.partner_id), statement.person
        ),
        items=list(_items([payout.pk])),
        payment=PayoutPayment.objects.filter(payout=payout).first(),
    )


# --- the accounts-payable export ----------------------------------------------------------


@dataclass
class RunPayables:
    """A run's payees (with profile, statement number and payment) and their
    items, read in a fixed number of queries whatever the run's size."""

    run: PayoutRun
    payouts: list[Payout]
    payees: dict[int, Payee]
    numbers: dict[int, str]
    items: dict[int, list[PayoutItem]]


def run_payables(*, run: PayoutRun) -> RunPayables:
    payouts = list(
        Payout.objects.filter(run=run)
        .select_related("partner", "person__user", "payment")
        .order_by("partner__name", "person_id", "pk")
    )
    partner_ids = {payout.partner_id for payout in payouts}
    profiles = {
        profile.partner_id: profile
        for profile in PayoutProfile.objects.filter(partner_id__in=partner_ids)
    }
    numbers = dict(Statement.objects.filter(run=run).values_list("payout_id", "number"))
    items: dict[int, list[PayoutItem]] = {}
    for item in _items([payout.pk for payout in payouts]).iterator(chunk_size=2000):
        items.setdefault(item.payout_id, []).append(item)
    for payout in payouts:
        payout.payment_record = payment_of(payout)
    return RunPayables(
        run=run,
        payouts=payouts,
        payees={
            payout.pk: payee_of(payout.partner, profiles.get(payout.partner_id), payout.person)
            for payout in payouts
        },
        numbers=numbers,
        items=items,
    )
