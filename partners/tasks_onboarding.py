"""Celery tasks: onboarding."""
