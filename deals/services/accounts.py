"""The vendor's direct accounts: customers it sells to itself, kept as a list
(imported from CSV) that deal registrations are checked against."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prm.actions import action
from prm.audit import audit_record
from prm.csv_import import CsvFormat, ImportOutcome, Sheet, run_import
from prm.models import Membership
from prm.policies import can_manage_direct_accounts

from ..codes import domain_cell
from ..models import DirectAccount
from ..normalise import customer_key

ACCOUNT_COLUMNS = ("name", "domain", "owner")
ACCOUNT_REQUIRED = ("name",)
ACCOUNT_CSV = CsvFormat(
    columns=ACCOUNT_COLUMNS,
    required=ACCOUNT_REQUIRED,
    no_rows_message=gettext_lazy("The file has a header but no rows."),
)


@action(can_manage_direct_accounts)
def direct_account_delete(*, account: DirectAccount, by: Membership) -> None:
    """Remove an account from the direct list; conflicts recorded against it go too."""
    with transaction.atomic():
        audit_record(
            actor=by.user,
            action="direct_account.deleted",
            target=account,
            name=account.name,
            domain=account.domain,
        )
        account.delete()


@dataclass
class _Account:
    number: int
    name: str
    name_key: str
    domain: str
    owner: str

    @property
    def identity(self) -> tuple[str, str]:
        return ("domain", self.domain) if self.domain else ("name", self.name_key)


@action(can_manage_direct_accounts)
def direct_accounts_import_csv(*, file: IO[bytes], by: Membership) -> ImportOutcome:
    """Add the vendor's direct accounts from a CSV file (name, domain, owner).

    An account already on the list — the same domain, or without a domain the
    same normalised name — is updated rather than listed twice, so a fresh export
    from the CRM can be uploaded again.  Invariant: all rows are written, or none."""
    return run_import(
        file,
        ACCOUNT_CSV,
        check=_check_accounts,
        write=lambda accounts: _write_accounts(accounts, by=by),
        conflict=_("Another import of these accounts got in the way; nothing was imported."),
    )


def _check_accounts(sheet: Sheet) -> list[_Account]:
    accounts = [a for a in (_check_account(sheet, n, cells) for n, cells in sheet.rows) if a]
    _unique_in_file(sheet, accounts)
    return accounts


def _write_accounts(accounts: list[_Account], *, by: Membership) -> ImportOutcome:
    """Runs in the import's transaction."""
    existing = _existing_accounts(accounts)
    new = [a for a in accounts if a.identity not in existing]
    changed = []
    for account in accounts:
        current = existing.get(account.identity)
        if current is not None:
            current.name, current.name_key, current.owner = (
                account.name,
                account.name_key,
                account.owner,
            )
            current.updated_at = timezone.now()
            changed.append(current)
    DirectAccount.objects.bulk_create(
        DirectAccount(name=a.name, name_key=a.name_key, domain=a.domain, owner=a.owner) for a in new
    )
    DirectAccount.objects.bulk_update(changed, ["name", "name_key", "owner", "updated_at"])
    audit_record(
        actor=by.user,
        action="direct_accounts.imported",
        created=len(new),
        updated=len(changed),
    )
    return ImportOutcome(created=len(new), updated=len(changed))


def _check_account(sheet: Sheet, number: int, cells: dict[str, str]) -> _Account | None:
    before = len(sheet.problems)
    name, owner = cells["name"], cells["owner"]
    if sheet.require(number, cells, ACCOUNT_REQUIRED):
        if not sheet.too_long(number, "name", name, 200) and not customer_key(name):
            sheet.problem(number, "name", _("The name needs at least one letter or digit."))
    sheet.too_long(number, "owner", owner, 200)
    domain = domain_cell(sheet, number, "domain", cells["domain"])
    if len(sheet.problems) > before:
        return None
    return _Account(number, name, customer_key(name), domain, owner)


def _unique_in_file(sheet: Sheet, accounts: list[_Account]) -> None:
    first_seen: dict[tuple[str, str], int] = {}
    for account in accounts:
        seen = first_seen.setdefault(account.identity, account.number)
        if seen != account.number:
            column = account.identity[0]
            sheet.problem(
                account.number,
                column,
                _("The same account is already in row %(row)d of this file.") % {"row": seen},
            )


def _existing_accounts(accounts: list[_Account]) -> dict[tuple[str, str], DirectAccount]:
    domains = [a.domain for a in accounts if a.domain]
    keys = [a.name_key for a in accounts if not a.domain]
    found = DirectAccount.objects.filter(
        Q(domain__in=domains) | Q(domain="", name_key__in=keys)
    ).order_by("-pk")
    return {
        (("domain", account.domain) if account.domain else ("name", account.name_key)): account
        for account in found
    }
