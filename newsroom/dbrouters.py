"""Read replicas: which database a query goes to, decided per request.

A streaming replica of PostgreSQL lags its primary by a moment, and a reader of a public page
does not notice a story that appears half a second later. An editor does: a headline saved and
then shown unchanged looks like a lost edit. So only reads of public pages go to a replica
(DATABASE_REPLICAS, one chosen per request, so all of a page's queries see one snapshot), and the
primary serves everything else:

- every write, and every read after a write in the same request;
- the desk and previews (their paths), and any request carrying a session cookie: only the desk
  signs people in, and the session itself was written on the primary;
- a client that wrote recently: a request that wrote is answered with a signed cookie that keeps
  that client on the primary for DATABASE_PRIMARY_AFTER_WRITE_SECONDS, longer than a replica
  lags, so whoever just saved, logged out or posted reads their own change on the next page;
- anything outside a request (the task worker, management commands, migrations) and any read
  inside a transaction of the primary.

The router cannot see the request; ReplicaReadsMiddleware tells it through a context variable,
which is per thread and per task, so concurrent requests never see each other's choice.
"""

import contextvars
import dataclasses
import random

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from newsroom.middleware import private_prefixes

# The signed cookie of a client that just wrote; deploy/varnish/newsroom.vcl passes its requests.
RECENT_WRITE_COOKIE = "newsroom_wrote"
_COOKIE_SALT = "newsroom.dbrouters.recent-write"


@dataclasses.dataclass
class _Reads:
    replica: str | None  # the replica this request reads from, None for the primary
    wrote: bool = False


_current: contextvars.ContextVar[_Reads | None] = contextvars.ContextVar(
    "newsroom_replica_reads", default=None
)


class PrimaryReplicaRouter:
    """Public reads to the request's replica, writes and everything else to the primary."""

    def db_for_read(self, model, **hints):
        reads = _current.get()
        if reads is None or reads.replica is None or reads.wrote:
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None  # a read in the primary's transaction must see what it has written
        return reads.replica

    def db_for_write(self, model, **hints):
        reads = _current.get()
        if reads is not None:
            reads.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # One data set under several names: a story read from a replica may point at a photo
        # read from the primary.
        names = {DEFAULT_DB_ALIAS, *settings.DATABASE_REPLICAS}
        if obj1._state.db in names and obj2._state.db in names:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A replica follows the primary's schema by replication and is read-only anyway.
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    """Choose the database a request reads from, and mark a client that wrote.

    Before anything that reads the database (sessions, authentication, views), and inside
    PublicCacheMiddleware, which then sees the cookie and keeps that answer out of shared caches.
    Does nothing without replicas: no cookie, no difference from a single database.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._private_prefixes = None

    def __call__(self, request):
        replicas = settings.DATABASE_REPLICAS
        if not replicas:
            return self.get_response(request)
        reads = _Reads(replica=random.choice(replicas) if self._may_use_replica(request) else None)
        token = _current.set(reads)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        if reads.wrote:
            response.set_signed_cookie(
                RECENT_WRITE_COOKIE,
                "1",
                salt=_COOKIE_SALT,
                max_age=settings.DATABASE_PRIMARY_AFTER_WRITE_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def _may_use_replica(self, request) -> bool:
        if request.method not in ("GET", "HEAD"):
            return False
        if self._private_prefixes is None:
            self._private_prefixes = private_prefixes()
        if request.path.startswith(self._private_prefixes):
            return False
        if request.COOKIES.get(settings.SESSION_COOKIE_NAME):
            return False  # an emptied cookie is what a logout leaves behind
        return not wrote_recently(request)


def wrote_recently(request) -> bool:
    """Whether the client carries a valid cookie from a write within the primary-only window."""
    if RECENT_WRITE_COOKIE not in request.COOKIES:
        return False
    value = request.get_signed_cookie(
        RECENT_WRITE_COOKIE,
        default=None,
        salt=_COOKIE_SALT,
        max_age=settings.DATABASE_PRIMARY_AFTER_WRITE_SECONDS,
    )
    return value is not None
