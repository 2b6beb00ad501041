"""Background jobs: rendering payout statements, one task per statement."""

from __future__ import annotations

from prm.jobs import tenant_task

from ..services import statements


@tenant_task(name="incentives.statement_render")
def statement_render(statement_id: int) -> int | None:
    statement = statements.statement_render(statement_id=statement_id)
    return statement.pk if statement else None
