"""Payout statements: issuing them for an approved run, and rendering each one
(the worker's part).

Issuing numbers every payee of the run that has items and no statement yet,
in one transaction: the year's counter row is raised by the number of new
statements (``INSERT … ON CONFLICT … DO UPDATE … RETURNING``, which also
serialises two issues at the same moment) and the statements are inserted
with their numbers, so a rollback gives the numbers back and the numbering
stays gapless; a unique constraint refuses a number given twice.  One render
task per statement goes through the outbox after the commit.

Rendering is idempotent: only a pending statement is rendered, under its row
lock, and its file has a fixed name, so a second delivery does nothing and a
delivery whose worker died is redone from the start by the next one.  A
statement rendered is announced to its payee (``incentives.notifications``).
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.actions import action, system_action
from prm.audit import audit_record
from prm.enqueue import enqueue_many_after_commit
from prm.jobs import TRANSIENT_ERRORS
from prm.models import Membership, Tenant
from prm.policies import can_issue_statements
from prm.tenancy import require_tenant_id

from ..models import PayoutRun, Statement, StatementStatus
from ..notifications import notify_statement_ready
from ..selectors.statements import (
    default_statement_language,
    payees_to_issue,
    statement_sources,
)
from ..statement_pdf import statement_pdf
from ..states import run_is_frozen

logger = logging.getLogger(__name__)
RENDER = "incentives.statement_render"
Status = StatementStatus


class Issued(NamedTuple):
    new: int
    retried: int


def _statement_number(year: int, sequence: int) -> str:
    return f"{year}-{sequence:06d}"


def _language(language: str | None) -> str:
    """The language asked for, else the tenant's default."""
    if not language:
        return default_statement_language(Tenant.objects.get(pk=require_tenant_id()))
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    return language


def _reserve_numbers(year: int, count: int) -> int:
    """Raise the year's counter by ``count``; the first number reserved.  The
    counter row stays locked until the transaction ends, so a concurrent issue
    waits and then counts on from what this one committed (or rolled back)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO incentives_statementcounter (tenant_id, year, last_number)
            VALUES (%s, %s, %s)
            ON CONFLICT (tenant_id, year) DO UPDATE
                SET last_number = incentives_statementcounter.last_number + EXCLUDED.last_number
            RETURNING last_number
            """,
            [require_tenant_id(), year, count],
        )
        last = cursor.fetchone()[0]
    return last - count + 1


@action(can_issue_statements)
def statements_issue(*, run: PayoutRun, by: Membership, language: str | None = None) -> Issued:
    """Issue the statements of an approved (or paid) run: one per payee with
    items, numbered and rendered in the background in ``language`` (by
    default the tenant's).  Asking again issues only what is missing (new
    payees have none, so nothing) and retries the statements that failed."""
    language = _language(language)
    with transaction.atomic():
        run = PayoutRun.objects.select_for_update().get(pk=run.pk)
        if not run_is_frozen(run):
            raise ValidationError(_("Statements are issued for approved or paid runs only."))
        payees = list(payees_to_issue(run=run).values_list("pk", "partner_id", "person_id"))
        retried = list(
            Statement.objects.filter(run=run, status=Status.FAILED).values_list("pk", flat=True)
        )
        Statement.objects.filter(pk__in=retried).update(status=Status.PENDING, error="")
        created: list[Statement] = []
        if payees:
            today = timezone.localdate()
            first = _reserve_numbers(today.year, len(payees))
            created = Statement.objects.bulk_create(
                [
                    Statement(
                        run=run,
                        payout_id=payout_id,
                        partner_id=partner_id,
                        person_id=person_id,
                        year=today.year,
                        sequence=first + offset,
                        number=_statement_number(today.year, first + offset),
                        issued_on=today,
                        language=language,
                        requested_by=by,
                    )
                    for offset, (payout_id, partner_id, person_id) in enumerate(payees)
                ]
            )
        ids = [statement.pk for statement in created] + retried
        enqueue_many_after_commit(RENDER, [[pk] for pk in ids])
        if ids:
            audit_record(
                actor=by.user,
                action="statements.issued",
                target=run,
                issued=len(created),
                retried=len(retried),
                language=language,
            )
    return Issued(new=len(created), retried=len(retried))


def _file_name(statement: Statement) -> str:
    return f"tenants/statements/{statement.tenant_id}/{statement.run_id}/{statement.pk}.pdf"


def _store(statement: Statement, pdf: bytes) -> None:
    storage = statement.file.storage
    name = _file_name(statement)
    # A worker that died after writing left this file; its redelivery replaces it.
    if storage.exists(name):
        storage.delete(name)
    statement.file.name = storage.save(name, ContentFile(pdf))
    statement.size_bytes = len(pdf)
    statement.status = Status.READY
    statement.rendered_at = timezone.now()
    statement.save(update_fields=["file", "size_bytes", "status", "rendered_at"])


@system_action
def statement_render(*, statement_id: int) -> Statement | None:
    """Render one pending statement to its PDF file (the worker's part).  A
    statement already rendered (a message delivered twice) is left alone; one
    that cannot be rendered is marked failed with the reason, and issuing the
    run's statements again retries it."""
    statement = (
        Statement.objects.select_for_update().filter(pk=statement_id, status=Status.PENDING).first()
    )
    if statement is None:
        return None
    try:
        with transaction.atomic():
            sources = statement_sources(statement_id=statement.pk)
            _store(statement, statement_pdf(sources, language=statement.language))
    except TRANSIENT_ERRORS:
        raise  # retried by the task
    except Exception:
        logger.exception("statement %s could not be rendered", statement.pk)
        statement.status = Status.FAILED
        statement.error = _("The statement could not be prepared.")
        statement.save(update_fields=["status", "error"])
    else:
        notify_statement_ready(statement)
    return statement
