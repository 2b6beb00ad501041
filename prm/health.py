"""Liveness of the parts the product needs: database, Redis, Celery workers."""

import redis
from celery import current_app
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def redis_ok() -> bool:
    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping())
    except Exception:
        return False


def workers_alive(timeout: float = 1.0) -> int:
    try:
        return len(current_app.control.ping(timeout=timeout) or [])
    except Exception:
        return 0


def health_report() -> dict:
    workers = workers_alive()
    report = {
        "database": "ok" if database_ok() else "down",
        "redis": "ok" if redis_ok() else "down",
        "workers": workers,
        "worker": "ok" if workers else "down",
    }
    report["status"] = "ok" if report["database"] == report["redis"] == "ok" else "down"
    return report


@require_GET
@never_cache
def health(request):
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
