"""Celery tasks: communication."""
