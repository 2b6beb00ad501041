"""Read queries of deal operations: catalogue, direct accounts, imported revenue."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from prm.models import Membership

from ..models import DealProduct, DirectAccount, Product, RevenueLine


def products_visible_to(*, membership: Membership) -> QuerySet[Product]:
    """Vendor roles see the whole catalogue; partner users the active products."""
    products = Product.objects.all()
    if membership.is_partner:
        products = products.filter(is_active=True)
    return products.order_by("product_line", "name", "pk")


def product_list(*, membership: Membership) -> QuerySet[Product]:
    """The catalogue with how many registrations name each product, in one query."""
    used = (
        DealProduct.objects.filter(product=OuterRef("pk"))
        .order_by()
        .values("product")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return products_visible_to(membership=membership).annotate(
        registrations=Coalesce(Subquery(used), 0)
    )


def product_get(*, membership: Membership, product_id: int) -> Product:
    product = products_visible_to(membership=membership).filter(pk=product_id).first()
    if product is None:
        raise Http404
    return product


def direct_accounts_visible_to(*, membership: Membership) -> QuerySet[DirectAccount]:
    """The vendor's own accounts are never shown to partners."""
    if membership.is_partner:
        return DirectAccount.objects.none()
    return DirectAccount.objects.order_by("name", "pk")


def direct_account_search(*, membership: Membership, query: str = "") -> QuerySet[DirectAccount]:
    accounts = direct_accounts_visible_to(membership=membership)
    query = query.strip()
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


def revenue_lines_visible_to(*, membership: Membership) -> QuerySet[RevenueLine]:
    """Won revenue lines with their partner, product and registration; partner
    users see their own organisation's only."""
    lines = RevenueLine.objects.select_related("partner", "product", "registration")
    if membership.is_partner:
        lines = lines.filter(partner_id=membership.partner_id)
    return lines.order_by("-closed_on", "-pk")
