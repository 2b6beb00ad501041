"""The building blocks every deal action uses: the status transition that
records who, when and why, and the customer protection of approved
registrations.  Services call them inside their own transaction and policy
check; nothing else does."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.audit import audit_record
from prm.models import User

from .models import DealProduct, DealProtection, DealRegistration, DealTransition
from .models import RegistrationStatus as S
from .states import AWAITING_DECISION, can_move


class ProtectionConflict(ValidationError):
    """Another registration already protects this customer for one of these products."""


def registration_transition(
    *,
    registration: DealRegistration,
    to_status: str,
    actor: User | None,
    reason: str = "",
    **fields,
) -> DealRegistration:
    """Move a registration along the transition table, compare-and-swap on its
    current status, and record who (``actor``; None for the system), when and
    why.  Extra ``fields`` are written in the same UPDATE.  Raises
    ValidationError for an illegal move or when the registration changed
    meanwhile."""
    from_status = registration.status
    if not can_move(from_status, to_status):
        raise ValidationError(
            _("A registration cannot go from “%(a)s” to “%(b)s”.")
            % {"a": S(from_status).label, "b": S(to_status).label}
        )
    if to_status in AWAITING_DECISION and registration.submitted_at is None:
        fields.setdefault("submitted_at", timezone.now())  # the queue pages by it
    with transaction.atomic():
        moved = DealRegistration.objects.filter(pk=registration.pk, status=from_status).update(
            status=to_status, **fields
        )
        if moved != 1:
            raise ValidationError(_("This registration changed meanwhile; reload and retry."))
        DealTransition.objects.create(
            registration=registration,
            from_status=from_status,
            to_status=to_status,
            by=actor,
            reason=reason,
        )
        audit_record(
            actor=actor,
            action=f"registration.{to_status}",
            target=registration,
            from_status=from_status,
            reason=reason,
        )
    registration.status = to_status
    for name, value in fields.items():
        setattr(registration, name, value)
    return registration


def protection_claim(*, registration: DealRegistration) -> None:
    """Claim (customer, product) pairs for an approved registration.  The database's
    unique constraint decides races: a second claim for a pair fails and rolls
    back the caller's transaction."""
    keys = {registration.customer_key}
    if registration.customer_domain:
        keys.add(registration.customer_domain)
    product_ids = list(
        # A fixed order of (key, product) inserts keeps two concurrent claims
        # from deadlocking: the later one waits, then fails on the constraint.
        DealProduct.objects.filter(registration=registration)
        .order_by("product_id")
        .values_list("product_id", flat=True)
    )
    try:
        with transaction.atomic():
            DealProtection.objects.bulk_create(
                DealProtection(registration=registration, customer_key=key, product_id=pid)
                for key in sorted(keys)
                for pid in product_ids
            )
    except IntegrityError as error:
        raise ProtectionConflict(
            _(
                "Another partner's registration already protects this customer for one of "
                "these products."
            )
        ) from error


def protection_release(*, registration_ids) -> int:
    """Release the protection of registrations that are no longer approved."""
    deleted, _rows = DealProtection.objects.filter(registration_id__in=registration_ids).delete()
    return deleted
