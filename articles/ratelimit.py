"""Search's rate limit: SEARCH_RATE_LIMIT searches per client address, then a 429.

Every other public page is answered by the page cache or the edge after its first reader; a search
with new words always reaches PostgreSQL and ranks its matches there. One address sending fifty
of those a second would keep the database busy for everyone, so searches with a query are counted
per client address (newsroom/proxies.py: the address our own proxies saw, never one a client wrote
into X-Forwarded-For) by django-ratelimit, in fixed windows, in the default cache: Redis once
there are several app servers, so the count is the network's, not one process's. A search answered
from the page cache or the edge costs nothing and is not counted.

A limiter must never be what takes search down: when the cache fails, searches are let through
(and the failure logged once, not per search).
"""

import logging

from django.conf import settings
from django.template.response import TemplateResponse
from django_ratelimit.core import get_usage

from newsroom.proxies import client_ip

logger = logging.getLogger(__name__)

GROUP = "articles.search"
_failing = False


def _client_address(group, request) -> str:
    return client_ip(request) or ""


def seconds_to_wait(request) -> int:
    """Count this search; 0 if it may run, else the seconds until its address may search again."""
    global _failing
    try:
        usage = get_usage(
            request,
            group=GROUP,
            key=_client_address,
            rate=settings.SEARCH_RATE_LIMIT,
            increment=True,
        )
    except Exception:  # whatever the cache raises: a limiter that fails must not fail search
        if not _failing:
            logger.warning("Search rate limit not counted: the cache failed", exc_info=True)
        _failing = True
        return 0
    if _failing:
        logger.warning("Search rate limit counted again: the cache answers")
        _failing = False
    # None: the cache answered nothing usable, and RATELIMIT_FAIL_OPEN lets the search through.
    if usage is None or not usage["should_limit"]:
        return 0
    # time_left counts whole seconds to the window's last one, which is still counted in it.
    return usage["time_left"] + 1


def too_many_searches(request, seconds: int) -> TemplateResponse:
    """The site's page saying when to search again; kept by no cache (only this address waits)."""
    response = TemplateResponse(
        request,
        "429.html",
        {"seconds": seconds, "title": "Слишком много запросов"},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "private, no-store"
    return response
