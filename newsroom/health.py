"""What a load balancer asks: /healthz (the process answers) and /readyz (it can serve pages).

Answered by the first middleware, before anything else runs: no session, no page cache, no
redirect to https and no ALLOWED_HOSTS check (a load balancer asks by the server's address, over
plain HTTP), and never kept by any cache.

- /healthz touches nothing: 200 "ok" whenever the process can run Python at all. A failing
  one means restart the process.
- /readyz asks the database (a query), the cache (a write and a read) and the migrations (none
  unapplied), and answers 200 or 503 with one line per part, such as "database: ok". A failing one
  means send no readers here for now; the process itself may be fine.
"""

import time

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
_PROBE_KEY = "newsroom:readyz"


def _database() -> str:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return f"fails ({type(error).__name__})"
    return "ok"


def _cache() -> str:
    # A cache that does not answer reads as empty (newsroom/cache.py): written, then not read.
    token = str(time.monotonic_ns())
    cache.set(_PROBE_KEY, token, 30)
    return "ok" if cache.get(_PROBE_KEY) == token else "fails (no answer)"


def _migrations() -> str:
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        return f"unknown ({type(error).__name__})"
    if pending:
        return f"{len(pending)} unapplied"
    return "ok"


def readiness() -> tuple[bool, str]:
    """Whether every part is up, and the body naming each part's state."""
    parts = {"database": _database()}
    parts["cache"] = _cache()
    # Without a database, nothing can say which migrations ran.
    parts["migrations"] = _migrations() if parts["database"] == "ok" else "unknown"
    ready = all(state == "ok" for state in parts.values())
    return ready, "".join(f"{part}: {state}\n" for part, state in parts.items())


def _answer(status: int, body: str) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """First in MIDDLEWARE: answers the two probes before any other middleware sees them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            if request.path == HEALTH_PATH:
                return _answer(200, "ok\n")
            if request.path == READY_PATH:
                ready, body = readiness()
                return _answer(200 if ready else 503, body)
        return self.get_response(request)
