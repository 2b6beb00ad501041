"""The vendor's product catalogue."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from prm.actions import action
from prm.audit import audit_record
from prm.models import Membership
from prm.policies import can_manage_catalogue

from ..models import Product

PRODUCT_FIELDS = ("code", "name", "product_line")


def _code_taken(code: str, *, exclude: Product | None = None) -> bool:
    taken = Product.objects.filter(code__iexact=code)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    return taken.exists()


def _save_product(product: Product, *, fields: list[str] | None) -> None:
    """Validate and save; a code taken meanwhile (the unique constraint) is
    reported like one taken before."""
    product.code = product.code.strip()
    product.name = product.name.strip()
    product.product_line = product.product_line.strip()
    product.full_clean(exclude=["tenant"], validate_constraints=False)
    if _code_taken(product.code, exclude=product if product.pk else None):
        raise ValidationError(
            {"code": _("Another product already has the code “%(code)s”.") % {"code": product.code}}
        )
    try:
        with transaction.atomic():
            product.save(update_fields=fields)
    except IntegrityError as error:
        raise ValidationError(
            {"code": _("Another product already has the code “%(code)s”.") % {"code": product.code}}
        ) from error


@action(can_manage_catalogue)
def product_create(*, by: Membership, code: str, name: str, product_line: str = "") -> Product:
    """Add a product; codes are unique per vendor, whatever their case."""
    product = Product(code=code, name=name, product_line=product_line)
    with transaction.atomic():
        _save_product(product, fields=None)
        audit_record(actor=by.user, action="product.created", target=product, code=product.code)
    return product


@action(can_manage_catalogue)
def product_update(*, product: Product, by: Membership, **fields) -> Product:
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    with transaction.atomic():
        for name, value in fields.items():
            setattr(product, name, value)
        _save_product(product, fields=list(fields))
        audit_record(actor=by.user, action="product.updated", target=product, fields=sorted(fields))
    return product


@action(can_manage_catalogue)
def product_set_active(*, product: Product, by: Membership, active: bool) -> Product:
    """Deactivated products stay on existing registrations and revenue but can no
    longer be registered or imported."""
    with transaction.atomic():
        Product.objects.filter(pk=product.pk).update(is_active=active)
        product.is_active = active
        action = "product.reactivated" if active else "product.deactivated"
        audit_record(actor=by.user, action=action, target=product)
    return product
