"""Celery tasks of the deals app, one module per area; tasks stay thin."""

from . import tasks_expiry, tasks_leads  # noqa: F401
