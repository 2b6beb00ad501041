"""Celery tasks: tiers."""
