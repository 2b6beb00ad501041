"""Celery tasks: lead SLA reclaim and routing."""
