import os
import uuid

# Before base is read: every test session gets its own Celery queues, which the
# worker started by the tests inherits through the environment.
os.environ.setdefault("PRM_QUEUE_PREFIX", f"prm-test-{uuid.uuid4().hex[:8]}")
# Likewise one cache namespace per test session, shared with that worker, so
# rate-limit counters from an earlier run on the same Redis never leak in.
os.environ.setdefault("CACHE_KEY_PREFIX", f"prm-test-{uuid.uuid4().hex[:8]}")

from .base import *  # noqa: E402,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
