"""CSV import of partner organisations: the whole file is checked first, then
written in one transaction, or nothing is written at all."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prm.actions import action
from prm.audit import audit_record
from prm.csv_import import CsvFormat, ImportOutcome, Sheet, run_import
from prm.models import AuditEvent, Membership, User
from prm.policies import can_manage_partners
from prm.roles import VENDOR_ROLES

from ..domains import normalise_domain
from ..models import Partner, PartnerDomain, PartnerStatus, PartnerStatusChange, Segment
from ..types import partner_type_choices

TEMPLATE_COLUMNS = [
    "name",
    "legal_name",
    "website",
    "domains",
    "country",
    "regions",
    "industries",
    "partner_type",
    "segment",
    "status",
    "account_manager_email",
]
REQUIRED_COLUMNS = ["name", "partner_type"]
MULTI_VALUE_SEPARATOR = ";"
MAX_ROWS = 5000
DEFAULT_STATUS = PartnerStatus.ONBOARDING

_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_DOMAIN_SPLIT = re.compile(r"[;,\s]+")
_url = URLValidator(schemes=["http", "https"])


PARTNER_CSV = CsvFormat(
    columns=tuple(TEMPLATE_COLUMNS),
    required=tuple(REQUIRED_COLUMNS),
    no_rows_message=gettext_lazy("The file has a header but no partners."),
    max_rows=MAX_ROWS,
)


@action(can_manage_partners)
def partners_import_csv(*, file: IO[bytes], by: Membership) -> ImportOutcome:
    """Create partners from a CSV file in the template's columns.

    Invariant: either every row is valid and all partners are created (each with
    its domains, its first status-history entry and an audit entry), or nothing
    is written and every problem found is reported with its row and column."""
    return run_import(
        file,
        PARTNER_CSV,
        check=_check_sheet,
        write=lambda rows: _write(rows, actor=by.user),
        conflict=_(
            "Another change to the partner list got in the way; nothing was imported. "
            "Upload the file again."
        ),
    )


def _check_sheet(sheet: Sheet) -> list[_Row]:
    checker = _RowChecker(sheet)
    rows = [checker.check(number, cells) for number, cells in sheet.rows]
    valid = [row for row in rows if row is not None]
    checker.check_across_rows(valid)
    return valid


# --- checking the rows -------------------------------------------------------------


@dataclass
class _Row:
    number: int
    partner: Partner
    domains: list[str]
    account_manager_email: str = ""


def _multi(value: str) -> list[str]:
    return [part.strip() for part in value.split(MULTI_VALUE_SEPARATOR) if part.strip()]


def _lookup(choices) -> dict[str, str]:
    """Accept a key or its label, in any case."""
    table = {}
    for key, label in choices:
        table[str(label).lower()] = key
        table[key.lower()] = key
    return table


class _RowChecker:
    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.types = _lookup(partner_type_choices())
        self.segments = _lookup(Segment.choices)
        self.statuses = _lookup(PartnerStatus.choices)

    def problem(self, row: int, column: str, message: str) -> None:
        self.sheet.problem(row, column, message)

    def check(self, number: int, cells: dict[str, str]) -> _Row | None:
        before = len(self.sheet.problems)
        partner = Partner(
            name=cells["name"],
            legal_name=cells["legal_name"],
            website=self._website(number, cells["website"]),
            country=self._country(number, cells["country"]),
            regions=_multi(cells["regions"]),
            industries=_multi(cells["industries"]),
            partner_type=self._choice(number, "partner_type", cells, self.types, required=True),
            segment=self._choice(number, "segment", cells, self.segments),
            status=self._choice(number, "status", cells, self.statuses) or DEFAULT_STATUS,
        )
        if not partner.name:
            self.problem(number, "name", _("A name is required."))
        domains = self._domains(number, cells["domains"])
        if len(self.sheet.problems) == before:
            self._model_checks(number, partner)
        if len(self.sheet.problems) > before:
            return None
        return _Row(number, partner, domains, cells["account_manager_email"].lower())

    def _website(self, number: int, value: str) -> str:
        if not value:
            return ""
        if "://" not in value:
            value = "https://" + value
        try:
            _url(value)
        except ValidationError:
            self.problem(
                number, "website", _("“%(value)s” is not a web address.") % {"value": value}
            )
        return value

    def _country(self, number: int, value: str) -> str:
        if value and not _COUNTRY.match(value):
            self.problem(
                number,
                "country",
                _("Use the two-letter country code (e.g. DE), not “%(value)s”.") % {"value": value},
            )
        return value.upper()

    def _choice(self, number, column, cells, table, *, required=False) -> str:
        value = cells[column]
        if not value:
            if required:
                self.problem(number, column, _("This value is required."))
            return ""
        key = table.get(value.lower())
        if key is None:
            self.problem(
                number,
                column,
                _("Unknown value “%(value)s”; use one of: %(keys)s.")
                % {"value": value, "keys": ", ".join(sorted(set(table.values())))},
            )
            return ""
        return key

    def _domains(self, number: int, value: str) -> list[str]:
        domains = set()
        for part in _DOMAIN_SPLIT.split(value):
            if not part:
                continue
            try:
                domains.add(normalise_domain(part))
            except ValidationError as error:
                self.problem(number, "domains", " ".join(error.messages))
        return sorted(domains)

    def _model_checks(self, number: int, partner: Partner) -> None:
        """Lengths and formats the model enforces, without a query per row."""
        try:
            partner.full_clean(
                exclude=["tenant", "tier", "account_manager"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column = name if name in TEMPLATE_COLUMNS else ""
                for message in messages:
                    self.problem(number, column, message)

    def check_across_rows(self, rows: list[_Row]) -> None:
        """Names and domains must be new (in the file and in the tenant); account
        managers must be active vendor staff. A fixed number of queries."""
        self._unique_names(rows)
        self._unique_domains(rows)
        self._account_managers(rows)

    def _unique_names(self, rows: list[_Row]) -> None:
        first_seen: dict[str, int] = {}
        for row in rows:
            key = row.partner.name.lower()
            if key in first_seen:
                self.problem(
                    row.number,
                    "name",
                    _("“%(name)s” is already in row %(row)d of this file.")
                    % {"name": row.partner.name, "row": first_seen[key]},
                )
            else:
                first_seen[key] = row.number
        existing = set(
            Partner.objects.annotate(lower_name=Lower("name"))
            .filter(lower_name__in=list(first_seen))
            .values_list("lower_name", flat=True)
        )
        for row in rows:
            if row.partner.name.lower() in existing:
                self.problem(
                    row.number,
                    "name",
                    _("A partner named “%(name)s” already exists.") % {"name": row.partner.name},
                )

    def _unique_domains(self, rows: list[_Row]) -> None:
        first_seen: dict[str, int] = {}
        for row in rows:
            for domain in row.domains:
                if domain in first_seen:
                    self.problem(
                        row.number,
                        "domains",
                        _("%(domain)s is already in row %(row)d of this file.")
                        % {"domain": domain, "row": first_seen[domain]},
                    )
                else:
                    first_seen[domain] = row.number
        taken = dict(
            PartnerDomain.objects.filter(domain__in=list(first_seen)).values_list(
                "domain", "partner__name"
            )
        )
        for row in rows:
            for domain in row.domains:
                if domain in taken:
                    self.problem(
                        row.number,
                        "domains",
                        _("%(domain)s already belongs to %(partner)s.")
                        % {"domain": domain, "partner": taken[domain]},
                    )

    def _account_managers(self, rows: list[_Row]) -> None:
        emails = {row.account_manager_email for row in rows if row.account_manager_email}
        staff = {
            member.user.email.lower(): member.user
            for member in Membership.objects.filter(
                role__in=VENDOR_ROLES, is_active=True, user__is_active=True
            )
            .annotate(email=Lower("user__email"))
            .filter(email__in=list(emails))
            .select_related("user")
        }
        for row in rows:
            email = row.account_manager_email
            if not email:
                continue
            user = staff.get(email)
            if user is None:
                self.problem(
                    row.number,
                    "account_manager_email",
                    _("%(email)s is not an active member of your staff.") % {"email": email},
                )
            else:
                row.partner.account_manager = user


# --- writing -------------------------------------------------------------------------


def _write(rows: list[_Row], *, actor: User) -> ImportOutcome:
    """Runs in the import's transaction."""
    partners = Partner.objects.bulk_create([row.partner for row in rows])
    PartnerDomain.objects.bulk_create(
        [
            PartnerDomain(partner=partner, domain=domain)
            for partner, row in zip(partners, rows, strict=True)
            for domain in row.domains
        ]
    )
    reason = _("Imported from a CSV file.")
    PartnerStatusChange.objects.bulk_create(
        [
            PartnerStatusChange(
                partner=partner, from_status="", to_status=partner.status, by=actor, reason=reason
            )
            for partner in partners
        ]
    )
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor,
                action="partner.created",
                target_type=Partner._meta.label_lower,
                target_id=partner.pk,
                data={"status": partner.status, "source": "csv_import"},
            )
            for partner in partners
        ]
    )
    by_status: dict[str, int] = defaultdict(int)
    for partner in partners:
        by_status[partner.status] += 1
    audit_record(
        actor=actor,
        action="partners.imported",
        count=len(partners),
        statuses=dict(by_status),
    )
    return ImportOutcome(created=len(partners))
