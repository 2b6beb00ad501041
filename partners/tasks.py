"""Celery tasks of the partners app, one module per area (thin: enter the tenant, call a service)."""

from . import tasks_communication, tasks_onboarding, tasks_tiers  # noqa: F401
