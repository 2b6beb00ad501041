"""Read queries of the vendor's product catalogue."""

from __future__ import annotations

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from prm.models import Membership

from ..models import DealProduct, Product


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
