"""The app's own page cache: whole public responses by URL, indexed by their surrogate keys.

A purge drops entries through an index, a set of entry names per key, rather than a generation
counter per key checked on every hit. A hit is then one cache read, which is what keeps it close
to a trivial view's cost on Redis, where checking a listing's sixty-odd key counters would be a
second round trip and most of the work. Purges do the work instead, and they are rare next to
reads.

On Redis (`CACHE_URL`) the index is made of Redis sets, atomic across every process sharing the
server. On local memory, the default, it is a dictionary in the process, under a lock: local
memory belongs to one process, and so do its purges (see purges.py). Index and entries expire
together, so neither outgrows what is cached.

A render that began before a purge must not store what it read: each purge takes the next number
of a counter (the epoch) and stamps every key it purges with it; a response is kept only if none
of its keys carries a stamp newer than the epoch its request began in. The check runs after the
entry is stored, so a purge landing at any moment is seen by one side or the other.
"""

import hashlib
import threading
import time

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from .dependencies import ALL

ENTRY_PREFIX = "pagecache:entry:"
INDEX_PREFIX = "pagecache:key:"
STAMP_PREFIX = "pagecache:purged:"
EPOCH_KEY = "pagecache:epoch"
# A stamp only needs to outlive the renders that started before it; a minute is plenty.
STAMP_SECONDS = 60
# An index outlives its newest entry by this much, so a late purge still finds the entry.
INDEX_GRACE_SECONDS = 60


def entry_key(request) -> str:
    """Method, path and query string; HEAD is answered from GET's entry, as it is GET's answer."""
    url = request.get_full_path().encode("utf-8", "surrogateescape")
    return ENTRY_PREFIX + hashlib.md5(url, usedforsecurity=False).hexdigest()


def answer(request):
    """The cached response to this GET or HEAD, or None."""
    entry = cache.get(entry_key(request))
    if entry is None:
        return None
    status, headers, body, stored_at, etag, last_modified = entry
    response = HttpResponse(body, status=status, headers=headers)
    if etag is not None or last_modified is not None:
        response = get_conditional_response(
            request, etag=etag, last_modified=last_modified, response=response
        )
    # What a shared cache in front subtracts from s-maxage, so it never keeps the page longer.
    response["Age"] = str(int(time.time() - stored_at))
    return response


def shared() -> bool:
    """Whether every process sees this cache (Redis), or only this one (local memory)."""
    # `cache` is a proxy to this thread's backend object: ask the object itself.
    return isinstance(caches[DEFAULT_CACHE_ALIAS], RedisCache)


def entry_index():
    """The index of the cache in use, made once per storage.

    Django hands each thread its own cache object; local memory's storage is shared by them all,
    and so must its index be (the test server answers in another thread than the test).
    """
    storage = cache._cache
    index = _indexes.get(id(storage))
    if index is None or index.storage is not storage:
        with _indexes_lock:
            index = _indexes.get(id(storage))
            if index is None or index.storage is not storage:
                index = _RedisIndex(storage) if shared() else _LocalIndex(storage)
                _indexes[id(storage)] = index
    return index


def epoch() -> int:
    """The purge counter now: taken before a view reads anything, checked when it stores."""
    return entry_index().epoch()


def store(request, response, keys: set[str], seconds: int, started: int) -> bool:
    """Keep a finished response for `seconds` under its keys; False if a purge came in between."""
    name = entry_key(request)
    etag = response.get("ETag")
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    entry = (
        response.status_code,
        dict(response.items()),
        response.content,
        time.time(),
        etag,
        last_modified,
    )
    index = entry_index()
    index.add(name, entry, keys | {ALL}, seconds)
    if index.purged_since(started, keys):
        cache.delete(name)
        return False
    return True


def purged_since(started: int, keys: set[str]) -> bool:
    return entry_index().purged_since(started, keys)


def purge(keys) -> int | None:
    """Drop every entry stored under any of the keys; how many were dropped (None: no cache)."""
    return entry_index().purge(set(keys))


class _LocalIndex:
    """The index of a process-local cache, in the same process."""

    def __init__(self, storage):
        self.storage = storage
        self.lock = threading.Lock()
        self.members: dict[str, dict[str, float]] = {}  # key -> entry name -> its expiry
        self.stamps: dict[str, tuple[int, float]] = {}  # key -> (epoch, expiry)
        self.counter = 0
        self.added = 0

    def epoch(self) -> int:
        return self.counter

    def add(self, name, entry, keys, seconds):
        cache.set(name, entry, seconds)
        expires = time.monotonic() + seconds + INDEX_GRACE_SECONDS
        with self.lock:
            for key in keys:
                self.members.setdefault(key, {})[name] = expires
            self.added += 1
            if self.added % 1000 == 0:
                self._forget_expired()

    def purged_since(self, started, keys):
        now = time.monotonic()
        with self.lock:
            stamps = [self.stamps.get(key) for key in keys]
        return any(stamp and stamp[0] > started and stamp[1] > now for stamp in stamps)

    def purge(self, keys):
        with self.lock:
            self.counter += 1
            expires = time.monotonic() + STAMP_SECONDS
            names = set()
            for key in keys:
                self.stamps[key] = (self.counter, expires)
                names.update(self.members.pop(key, {}))
        cache.delete_many(list(names))
        return len(names)

    def _forget_expired(self):
        now = time.monotonic()
        for key in list(self.members):
            alive = {name: at for name, at in self.members[key].items() if at > now}
            if alive:
                self.members[key] = alive
            else:
                del self.members[key]
        self.stamps = {key: stamp for key, stamp in self.stamps.items() if stamp[1] > now}


class _RedisIndex:
    """Redis sets and counters beside Django's own cache entries, in the same key space.

    While Redis is away (newsroom/cache.py) a request reads epoch 0, stores nothing and sees no
    purge, so pages are made from the database and still reach shared caches. A purge then
    drops nothing and reports None: entries stored before the outage may be served for the rest
    of their lifetime once Redis is back (the edge is still purged).
    """

    def __init__(self, storage):
        self.storage = storage

    def client(self):
        return self.storage.get_client(write=True)

    def epoch(self) -> int:
        return _guarded(0, self._epoch)

    def _epoch(self) -> int:
        value = self.client().get(cache.make_key(EPOCH_KEY))
        return int(value) if value is not None else 0

    def add(self, name, entry, keys, seconds):
        _guarded(None, self._add, name, entry, keys, seconds)

    def _add(self, name, entry, keys, seconds):
        full_name = cache.make_key(name)
        pipe = self.client().pipeline(transaction=False)
        pipe.set(full_name, self.storage._serializer.dumps(entry), ex=seconds)
        for key in keys:
            index = cache.make_key(INDEX_PREFIX + key)
            pipe.sadd(index, full_name)
            # An index lives as long as its longest-lived entry (NX for a new set, GT after).
            pipe.expire(index, seconds + INDEX_GRACE_SECONDS, nx=True)
            pipe.expire(index, seconds + INDEX_GRACE_SECONDS, gt=True)
        pipe.execute()

    def purged_since(self, started, keys):
        return _guarded(False, self._purged_since, started, keys)

    def _purged_since(self, started, keys):
        if not keys:
            return False
        stamps = self.client().mget([cache.make_key(STAMP_PREFIX + key) for key in keys])
        return any(stamp is not None and int(stamp) > started for stamp in stamps)

    def purge(self, keys):
        return _guarded(None, self._purge, keys)

    def _purge(self, keys):
        client = self.client()
        current = client.incr(cache.make_key(EPOCH_KEY))
        indexes = [cache.make_key(INDEX_PREFIX + key) for key in keys]
        # Stamps, reading the sets and emptying them in one transaction: an entry added after it
        # lands in a fresh set, and its request then sees the stamp.
        pipe = client.pipeline(transaction=True)
        for key in keys:
            pipe.set(cache.make_key(STAMP_PREFIX + key), current, ex=STAMP_SECONDS)
        for index in indexes:
            pipe.smembers(index)
        pipe.delete(*indexes)
        replies = pipe.execute()
        names = set().union(*replies[len(keys) : len(keys) + len(indexes)])
        if names:
            client.delete(*names)
        return len(names)


def _guarded(fallback, call, *args):
    """call(*args) through the cache's outage guard (newsroom/cache.py), where it has one."""
    guarded = getattr(caches[DEFAULT_CACHE_ALIAS], "guarded", None)
    return guarded(fallback, call, *args) if guarded else call(*args)


_indexes: dict[int, object] = {}
_indexes_lock = threading.Lock()
