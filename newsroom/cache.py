"""Django's Redis cache, which a Redis that is down or hanging cannot take the site down with.

The cache only ever saves work: every page can be made from the database. So when Redis does not
answer within its socket timeouts (CACHE_CONNECT_TIMEOUT_MS, CACHE_TIMEOUT_MS), a read is a miss
and a write is dropped, and for the next CACHE_RETRY_SECONDS the process does not ask Redis at
all: a hanging server costs one timeout per pause, not one per call of every request. The first
call after the pause asks again, so the cache comes back by itself. The outage is logged once
when it begins and once when it ends, not on every request.

A counter (`incr`, a rate limit's) reads as the first hit while Redis is away: a limit counted
in a cache that is down lets requests through rather than refusing every reader.
"""

import logging
import threading
import time
from functools import cached_property
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class _Outage:
    """Whether one Redis server is down, shared by every thread of the process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.since = None  # monotonic time the outage began, None while Redis answers
        self.retry_at = 0.0

    def skipping(self) -> bool:
        return self.since is not None and time.monotonic() < self.retry_at

    def failed(self, location, error) -> None:
        with self.lock:
            now = time.monotonic()
            self.retry_at = now + settings.CACHE_RETRY_SECONDS
            if self.since is None:
                self.since = now
                logger.warning(
                    "Cache %s does not answer (%s): serving from the database, "
                    "asking again every %s s",
                    location,
                    error,
                    settings.CACHE_RETRY_SECONDS,
                )

    def answered(self, location) -> None:
        if self.since is None:
            return
        with self.lock:
            if self.since is not None:
                logger.warning(
                    "Cache %s answers again after %.0f s", location, time.monotonic() - self.since
                )
                self.since = None


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


class _ReusedClients(RedisCacheClient):
    """Django's Redis cache client, keeping one redis-py client per connection pool.

    Django makes a new `redis.Redis` for every cache call, and redis-py builds its table of
    ~170 reply callbacks in each: a third of a page-cache hit's CPU. A client is a thin handle
    on its pool and safe to share between threads, so one per pool does."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """RedisCache whose every call falls back to what a cache without the entry would answer."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClients

    @cached_property
    def where(self) -> str:
        """The servers as logged: host, port and database, never a password from the URL."""
        return ", ".join(
            f"{parts.hostname}:{parts.port or 6379}{parts.path}"
            for parts in map(urlsplit, self._servers)
        )

    @property
    def outage(self) -> _Outage:
        outage = _outages.get(self.where)
        if outage is None:
            with _outages_lock:
                outage = _outages.setdefault(self.where, _Outage())
        return outage

    def guarded(self, fallback, call, *args, **kwargs):
        """call(*args, **kwargs), or `fallback` while Redis is away or when it fails to answer.

        Also for code that talks to the Redis client itself (articles/caching/pagecache.py)."""
        outage = self.outage
        if outage.skipping():
            return fallback
        try:
            result = call(*args, **kwargs)
        except RedisError as error:
            outage.failed(self.where, error)
            return fallback
        outage.answered(self.where)
        return result

    # What a cache without the entry answers; writes are dropped, as an evicted entry would be.
    def get(self, key, default=None, version=None):
        return self.guarded(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self.guarded({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self.guarded(False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self.guarded(False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self.guarded(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self.guarded([], super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self.guarded(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self.guarded(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self.guarded(None, super().delete_many, keys, version)

    def incr(self, key, delta=1, version=None):
        return self.guarded(delta, super().incr, key, delta, version)

    def clear(self):
        return self.guarded(False, super().clear)
