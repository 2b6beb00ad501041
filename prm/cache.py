"""The cache, kept working while Redis is away.

Sessions live in the database; the cache holds rate-limit counters, import
reports and similar short-lived values.  When Redis cannot be reached the
cache answers from this process's memory instead, so sign-in keeps working
and stays rate-limited (per process) rather than answering 500, and Redis
takes over again as soon as it answers.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
# While Redis is down, it is tried again at most this often.
RETRY_SECONDS = 5.0
_OPERATIONS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "set_many",
    "delete_many",
    "has_key",
    "incr",
    "decr",
    "clear",
)


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._memory = LocMemCache(f"fallback:{server}", {"OPTIONS": {"MAX_ENTRIES": 10000}})
        self._down_since: float | None = None
        self._retry_at = 0.0


def _either(name: str):
    def operation(self, *args, **kwargs):
        if time.monotonic() >= self._retry_at:
            try:
                result = getattr(RedisCache, name)(self, *args, **kwargs)
            except REDIS_DOWN:
                if self._down_since is None:
                    self._down_since = time.monotonic()
                    logger.warning("Redis unreachable: the cache answers from memory")
                self._retry_at = time.monotonic() + RETRY_SECONDS
            else:
                if self._down_since is not None:
                    self._down_since = None
                    logger.warning("Redis answers again: the cache is back on Redis")
                return result
        return getattr(self._memory, name)(*args, **kwargs)

    operation.__name__ = name
    return operation


for _name in _OPERATIONS:
    setattr(ResilientRedisCache, _name, _either(_name))
