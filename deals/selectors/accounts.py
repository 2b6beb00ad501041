"""Read queries of the vendor's direct accounts (never shown to partners)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from prm.models import Membership

from ..models import DirectAccount


def direct_accounts_visible_to(*, membership: Membership) -> QuerySet[DirectAccount]:
    """The vendor's own accounts are never shown to partners."""
    if membership.is_partner:
        return DirectAccount.objects.none()
    return DirectAccount.objects.order_by("name", "pk")


@dataclass(frozen=True)
class AccountFilters:
    text: str = ""


def direct_account_search(
    *, membership: Membership, filters: AccountFilters = AccountFilters()
) -> QuerySet[DirectAccount]:
    """The accounts whose name, domain or owner contains the search text."""
    accounts = direct_accounts_visible_to(membership=membership)
    query = filters.text.strip()
    if query:
        accounts = accounts.filter(
            Q(name__icontains=query) | Q(domain__icontains=query) | Q(owner__icontains=query)
        )
    return accounts


def direct_account_get(*, membership: Membership, account_id: int) -> DirectAccount:
    account = direct_accounts_visible_to(membership=membership).filter(pk=account_id).first()
    if account is None:
        raise Http404
    return account
