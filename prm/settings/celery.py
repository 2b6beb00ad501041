"""Celery configuration (read by prm/celery.py with the CELERY_ namespace)."""

from celery.schedules import crontab

from .env import env

_redis_url = env("REDIS_URL")
if not _redis_url:
    from prm import embedded

    _redis_url = embedded.default_redis_url()

# kombu spells a Unix-socket Redis differently from redis-py.
CELERY_BROKER_URL = (
    "redis+socket://" + _redis_url.removeprefix("unix://")
    if _redis_url.startswith("unix://")
    else _redis_url
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task whose worker died is delivered again after this many seconds (its
# message was never acknowledged).  Countdowns and retry back-offs must stay
# below it (prm.jobs caps them), or Redis delivers the message a second time.
VISIBILITY_TIMEOUT = int(env("CELERY_VISIBILITY_TIMEOUT", "300"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": VISIBILITY_TIMEOUT,
    # How often a worker looks for such messages: every interval × throttle
    # seconds (Kombu's defaults, 10 × 10); tests that kill a worker shorten it.
    "unacked_restore_interval": int(env("CELERY_UNACKED_RESTORE_INTERVAL", "10")),
    "unacked_restore_throttle": int(env("CELERY_UNACKED_RESTORE_THROTTLE", "10")),
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Queue names carry a prefix so that test runs and several checkouts sharing
# one Redis never consume each other's messages.
QUEUE_PREFIX = env("PRM_QUEUE_PREFIX", "prm")
QUEUES = ("default", "email", "batch")
CELERY_TASK_DEFAULT_QUEUE = f"{QUEUE_PREFIX}.default"
CELERY_TASK_ROUTES = {
    "prm.invitation_send": {"queue": f"{QUEUE_PREFIX}.email"},
    "prm.email_send": {"queue": f"{QUEUE_PREFIX}.email"},
    "partners.announcement_email": {"queue": f"{QUEUE_PREFIX}.email"},
    "*_all_tenants": {"queue": f"{QUEUE_PREFIX}.batch"},
    # Exports read whole lists: on the batch queue, so e-mail never waits behind one.
    "prm.export_run": {"queue": f"{QUEUE_PREFIX}.batch"},
    "incentives.payout_run_calculate": {"queue": f"{QUEUE_PREFIX}.batch"},
    "incentives.statement_render": {"queue": f"{QUEUE_PREFIX}.batch"},
}
# Beat only fans out: each entry enqueues one task per tenant (prm.jobs.fan_out).
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox": {
        "task": "prm.outbox_sweep_all_tenants",
        "schedule": crontab(),  # every minute
    },
    "expire-invitations": {
        "task": "prm.invitations_expire_all_tenants",
        "schedule": crontab(minute=5),
    },
    "evaluate-tiers": {
        "task": "partners.tiers_evaluate_all_tenants",
        "schedule": crontab(hour=2, minute=15),
    },
    "expire-registrations": {
        "task": "deals.registrations_expire_all_tenants",
        "schedule": crontab(minute=10),
    },
    "reclaim-leads": {
        "task": "deals.leads_reclaim_all_tenants",
        "schedule": crontab(minute="*/15"),
    },
    "mdf-deadlines": {
        "task": "incentives.mdf_expire_all_tenants",
        "schedule": crontab(hour=1, minute=25),
    },
    "schedule-payout-runs": {
        "task": "incentives.payout_runs_schedule_all_tenants",
        "schedule": crontab(hour=4, minute=20),
    },
    "expire-points": {
        "task": "incentives.points_expire_all_tenants",
        "schedule": crontab(hour=3, minute=10),
    },
    "purge-exports": {
        "task": "prm.exports_purge_all_tenants",
        "schedule": crontab(hour=3, minute=40),
    },
    "notification-digests": {
        "task": "prm.notifications_digest_all_tenants",
        # after the night's deadline jobs, before the working day
        "schedule": crontab(hour=6, minute=0),
    },
    "refresh-onboarding": {
        "task": "partners.onboarding_refresh_all_tenants",
        "schedule": crontab(minute=35),
    },
}
