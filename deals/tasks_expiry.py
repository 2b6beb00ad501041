"""Celery tasks: registration expiry and reminders."""
