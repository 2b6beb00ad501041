"""Celery tasks of the partners app, one module per area; tasks stay thin."""

from . import tasks_communication, tasks_onboarding, tasks_tiers  # noqa: F401
