"""Finding the records a registration competes with.

A registration conflicts with another partner's active registration for the
same customer — the same web/e-mail domain, or a name at least as similar as
the vendor's threshold — when their products overlap; and with the vendor's own
direct accounts on the same customer whatever the products.

Names are compared by their keys (``deals.normalise``): PostgreSQL's pg_trgm
finds the keys at least that similar through a GIN index (the ``%`` operator,
with its cut-off set to the vendor's threshold for the transaction), then
``deals.similarity.name_score`` keeps those whose distinctive words are alike
too, so sharing "Pharmaceutical Industries" is not enough.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q

from .models import DealConflict, DealProduct, DealRegistration, DirectAccount
from .selectors.rules import deal_settings
from .similarity import name_score
from .states import ACTIVE


@dataclass(frozen=True)
class Candidate:
    """Who is registering what, before or after it is saved."""

    customer_key: str
    customer_domain: str
    product_ids: tuple[int, ...]
    partner_id: int
    exclude_registration_id: int | None = None


def _customer_match(key: str, domain: str, field_key: str, field_domain: str) -> Q:
    # ``__trigram_similar`` (the % operator) lets the GIN index pre-filter at
    # the threshold set by ``_use_threshold``.
    match = Q(**{f"{field_key}__trigram_similar": key}) | Q(**{field_key: key})
    if domain:
        match |= Q(**{field_domain: domain})
    return match


def _use_threshold(threshold: Decimal) -> None:
    """pg_trgm's ``%`` cuts off at 0.3 unless told otherwise; tell it the
    vendor's threshold, for this transaction only."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(threshold)]
        )


def _scored(rows, candidate: Candidate, threshold: Decimal, key_of, domain_of) -> list:
    """The rows that match by domain or by name, each with its ``similarity``."""
    kept = []
    for row in rows:
        row.similarity = name_score(candidate.customer_key, key_of(row))
        same_domain = (
            bool(candidate.customer_domain) and domain_of(row) == candidate.customer_domain
        )
        if same_domain or Decimal(str(row.similarity)) >= threshold:
            kept.append(row)
    return kept


def competing_registrations(candidate: Candidate):
    threshold = deal_settings().name_similarity
    _use_threshold(threshold)
    shared_product = DealProduct.objects.filter(
        registration=OuterRef("pk"), product_id__in=candidate.product_ids
    )
    found = (
        DealRegistration.objects.filter(status__in=ACTIVE)
        .exclude(partner_id=candidate.partner_id)
        .filter(
            _customer_match(
                candidate.customer_key, candidate.customer_domain, "customer_key", "customer_domain"
            )
        )
        .filter(Exists(shared_product))
        .select_related("partner")
    )
    if candidate.exclude_registration_id:
        found = found.exclude(pk=candidate.exclude_registration_id)
    return _scored(
        found,
        candidate,
        threshold,
        key_of=lambda r: r.customer_key,
        domain_of=lambda r: r.customer_domain,
    )


def competing_direct_accounts(candidate: Candidate):
    threshold = deal_settings().name_similarity
    _use_threshold(threshold)
    found = DirectAccount.objects.filter(
        _customer_match(candidate.customer_key, candidate.customer_domain, "name_key", "domain")
    )
    return _scored(
        found, candidate, threshold, key_of=lambda a: a.name_key, domain_of=lambda a: a.domain
    )


def _match_of(candidate: Candidate, domain: str) -> str:
    if candidate.customer_domain and domain == candidate.customer_domain:
        return DealConflict.Match.DOMAIN
    return DealConflict.Match.NAME


def conflicts_record(*, registration: DealRegistration) -> list[DealConflict]:
    """Replace the registration's recorded conflicts with what competes now."""
    candidate = Candidate(
        customer_key=registration.customer_key,
        customer_domain=registration.customer_domain,
        product_ids=tuple(
            DealProduct.objects.filter(registration=registration).values_list(
                "product_id", flat=True
            )
        ),
        partner_id=registration.partner_id,
        exclude_registration_id=registration.pk,
    )
    rows = [
        DealConflict(
            registration=registration,
            other_registration=other,
            match=_match_of(candidate, other.customer_domain),
            similarity=Decimal(str(round(other.similarity, 3))),
        )
        for other in competing_registrations(candidate)
    ] + [
        DealConflict(
            registration=registration,
            direct_account=account,
            match=_match_of(candidate, account.domain),
            similarity=Decimal(str(round(account.similarity, 3))),
        )
        for account in competing_direct_accounts(candidate)
    ]
    with transaction.atomic():
        DealConflict.objects.filter(registration=registration).delete()
        return DealConflict.objects.bulk_create(rows)
