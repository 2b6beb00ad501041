"""Finding the records a registration competes with.

A registration conflicts with another partner's active registration for the
same customer — the same web/e-mail domain, or a normalised name at least as
similar as the vendor's threshold (PostgreSQL pg_trgm, served by a GIN index) —
when their products overlap; and with the vendor's own direct accounts on the
same customer whatever the products.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.search import TrigramSimilarity
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from .models import DealConflict, DealProduct, DealRegistration, DirectAccount
from .selectors.rules import deal_settings
from .states import ACTIVE


@dataclass(frozen=True)
class Candidate:
    """Who is registering what, before or after it is saved."""

    customer_key: str
    customer_domain: str
    product_ids: tuple[int, ...]
    partner_id: int
    exclude_registration_id: int | None = None


def _customer_match(
    key: str, domain: str, threshold: Decimal, field_key: str, field_domain: str
) -> Q:
    # ``__trigram_similar`` (the % operator) lets the GIN index pre-filter;
    # the exact threshold is applied on the annotated similarity below.
    match = Q(**{f"{field_key}__trigram_similar": key}) | Q(**{field_key: key})
    if domain:
        match |= Q(**{field_domain: domain})
    return match


def competing_registrations(candidate: Candidate):
    threshold = deal_settings().name_similarity
    shared_product = DealProduct.objects.filter(
        registration=OuterRef("pk"), product_id__in=candidate.product_ids
    )
    found = (
        DealRegistration.objects.filter(status__in=ACTIVE)
        .exclude(partner_id=candidate.partner_id)
        .filter(
            _customer_match(
                candidate.customer_key,
                candidate.customer_domain,
                threshold,
                "customer_key",
                "customer_domain",
            )
        )
        .filter(Exists(shared_product))
        .annotate(similarity=TrigramSimilarity("customer_key", candidate.customer_key))
        .select_related("partner")
    )
    if candidate.exclude_registration_id:
        found = found.exclude(pk=candidate.exclude_registration_id)
    return [
        r
        for r in found
        if (candidate.customer_domain and r.customer_domain == candidate.customer_domain)
        or Decimal(str(r.similarity)) >= threshold
    ]


def competing_direct_accounts(candidate: Candidate):
    threshold = deal_settings().name_similarity
    found = DirectAccount.objects.filter(
        _customer_match(
            candidate.customer_key, candidate.customer_domain, threshold, "name_key", "domain"
        )
    ).annotate(similarity=TrigramSimilarity("name_key", candidate.customer_key))
    return [
        a
        for a in found
        if (candidate.customer_domain and a.domain == candidate.customer_domain)
        or Decimal(str(a.similarity)) >= threshold
    ]


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
