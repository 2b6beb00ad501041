"""Moving MDF funds: the one way a fund's balances change.

Every movement takes the fund row's lock, refuses to take a balance below
zero with a clear message, updates the fund and appends one ledger entry in
the caller's transaction.  The check constraints on both tables stand behind
the lock: even a path that skipped it could not make a balance negative or
break ``allocated = available + committed + claimed + paid + expired``."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import EntryKind, MdfClaim, MdfEntry, MdfFund, PayoutItem

CENT = Decimal("0.01")

# Which balances each kind of movement takes from (-) and gives to (+).
MOVES: dict[str, dict[str, int]] = {
    EntryKind.ALLOCATE: {"allocated": 1, "available": 1},
    EntryKind.TOP_UP: {"allocated": 1, "available": 1},
    EntryKind.REDUCE: {"allocated": -1, "available": -1},
    EntryKind.COMMIT: {"available": -1, "committed": 1},
    EntryKind.RELEASE: {"committed": -1, "available": 1},
    EntryKind.CLAIM: {"committed": -1, "claimed": 1},
    EntryKind.PAY: {"claimed": -1, "paid": 1},
    EntryKind.EXPIRE_FUNDS: {"available": -1, "expired": 1},
    EntryKind.EXPIRE_REQUEST: {"committed": -1, "expired": 1},
}

_SHORT = {
    "available": gettext_lazy("The partner has only %(have)s available in this fund."),
    "committed": gettext_lazy("Only %(have)s of this fund is committed."),
    "claimed": gettext_lazy("Only %(have)s of this fund is claimed and unpaid."),
    "allocated": gettext_lazy("Only %(have)s is allocated."),
}


def fund_locked(fund_id: int) -> MdfFund:
    return MdfFund.objects.select_for_update().get(pk=fund_id)


def move(
    fund: MdfFund,
    kind: str,
    amount: Decimal,
    *,
    field: str = "amount",
    request=None,
    claim=None,
    payout_id: int | None = None,
    by=None,
    note: str = "",
) -> MdfEntry:
    """Move ``amount`` of a fund locked by ``fund_locked`` in this transaction."""
    if amount <= 0 or amount != amount.quantize(CENT):
        raise ValidationError({field: _("Enter an amount above zero, in whole cents.")})
    deltas = {name: sign * amount for name, sign in MOVES[kind].items()}
    for name, delta in deltas.items():
        have = getattr(fund, name)
        if have + delta < 0:
            raise ValidationError({field: _SHORT[name] % {"have": f"{have} {fund.currency}"}})
    MdfFund.objects.filter(pk=fund.pk).update(
        **{name: F(name) + delta for name, delta in deltas.items()}
    )
    for name, delta in deltas.items():
        setattr(fund, name, getattr(fund, name) + delta)
    return MdfEntry.objects.create(
        fund=fund,
        partner_id=fund.partner_id,
        kind=kind,
        amount=amount,
        request=request,
        claim=claim,
        payout_id=payout_id,
        by=by,
        note=note[:300],
        **{f"d_{name}": delta for name, delta in deltas.items()},
    )


def claims_paid(*, payout_ids: list[int], by) -> int:
    """Move the claims paid by these payouts from claimed to paid (each once:
    a unique constraint on the ``pay`` entry of a claim); returns how many."""
    items = (
        PayoutItem.objects.filter(payout_id__in=payout_ids, kind="mdf_claim")
        .exclude(mdf_claim__isnull=True)
        .values_list("mdf_claim_id", "payout_id", "amount")
        .order_by("mdf_claim_id")
    )
    paid = 0
    for claim_id, payout_id, amount in items:
        if MdfEntry.objects.filter(claim_id=claim_id, kind=EntryKind.PAY).exists():
            continue
        claim = MdfClaim.objects.get(pk=claim_id)
        fund = fund_locked(claim.fund_id)
        move(fund, EntryKind.PAY, amount, claim=claim, payout_id=payout_id, by=by)
        paid += 1
    return paid
