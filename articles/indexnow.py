"""IndexNow: tell search engines a story is out the moment readers can see it.

The publishing service that publishes or (re)schedules a story queues one ping, after the
transaction commits, to run at the publication time on the django-tasks database queue
(`db_worker`). At run time the ping re-reads the story, so a story unpublished before it is due
is not announced, and a corrected headline or moved region is announced at its current URL.
"""

import datetime
import http.client
import json
import logging
import urllib.request
from urllib.error import HTTPError
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from django_tasks import task

from .metadata import absolute_url
from .models import Article

logger = logging.getLogger(__name__)


class IndexNowError(Exception):
    """An endpoint refused a ping for good; raised so the task shows as failed in the queue."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # urllib turns a redirected POST into a GET without the body: a redirect is an error here.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def queue_ping(article: Article) -> None:
    """Queue one ping for the story's publication time, once the current transaction commits.

    Called by the publishing service alone when it publishes, schedules or reschedules a story,
    so a bulk import or the demo seed never floods the queue.
    """
    if not settings.INDEXNOW_ENABLED:
        return
    article_id, published_at = article.pk, article.published_at
    # After commit: a rolled-back step must not ping, and no worker may run before it is saved.
    transaction.on_commit(
        lambda: ping_indexnow.using(run_after=published_at).enqueue(article_id=article_id)
    )


@task()
def ping_indexnow(
    article_id: int, endpoints: list[str] | None = None, attempt: int = 1
) -> dict[str, int | str]:
    """Announce the story's current URL to each endpoint; re-queue the ones worth retrying.

    `endpoints` narrows a retry to the endpoints that failed; `attempt` counts tries, as the queue
    itself does not retry.
    """
    if not settings.INDEXNOW_ENABLED:
        return {}
    article = Article.objects.published().select_related("region").filter(pk=article_id).first()
    if article is None:
        logger.info("IndexNow: story %s is not published (any more): no ping", article_id)
        return {}
    url = absolute_url(article.get_absolute_url())
    outcomes = {
        endpoint: _submit(endpoint, url)
        for endpoint in settings.INDEXNOW_ENDPOINTS
        if endpoints is None or endpoint in endpoints
    }
    failed = {endpoint: outcome for endpoint, outcome in outcomes.items() if not _accepted(outcome)}
    retry = [endpoint for endpoint, outcome in failed.items() if _worth_retrying(outcome)]
    if retry and attempt < settings.INDEXNOW_MAX_ATTEMPTS:
        delay = settings.INDEXNOW_RETRY_DELAY * 2 ** (attempt - 1)
        logger.warning("IndexNow: %s for %s; try %s in %s s", failed, url, attempt + 1, delay)
        ping_indexnow.using(run_after=timezone.now() + datetime.timedelta(seconds=delay)).enqueue(
            article_id=article_id, endpoints=retry, attempt=attempt + 1
        )
        failed = {endpoint: failed[endpoint] for endpoint in failed if endpoint not in retry}
    if failed:
        raise IndexNowError(f"{url} not accepted on try {attempt}: {failed}")
    logger.info("IndexNow: %s, try %s: %s", url, attempt, outcomes)
    return outcomes


def _submit(endpoint: str, url: str) -> int | str:
    """POST one URL to one endpoint: the HTTP status, or why no status came back."""
    site = urlsplit(settings.SITE_URL)
    body = {
        "host": site.netloc,
        "key": settings.INDEXNOW_KEY,
        "keyLocation": f"{settings.SITE_URL}/{settings.INDEXNOW_KEY}.txt",
        "urlList": [url],
    }
    request = urllib.request.Request(  # noqa: S310 - settings admit only http(s) endpoints
        endpoint,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=settings.INDEXNOW_TIMEOUT) as response:
            return response.status
    except HTTPError as error:
        error.close()
        return error.code
    except (OSError, http.client.HTTPException) as error:
        # Refused, unresolvable, timed out, garbled: the endpoint may be back later.
        return f"{type(error).__name__}: {error}"


def _accepted(outcome: int | str) -> bool:
    return isinstance(outcome, int) and 200 <= outcome < 300


def _worth_retrying(outcome: int | str) -> bool:
    # 429 asks us to slow down and 5xx is the endpoint's trouble; any other 4xx or 3xx is ours.
    return isinstance(outcome, str) or outcome == 429 or outcome >= 500


@require_safe
def key_file(request, key: str) -> HttpResponse:
    """The key file engines fetch to check that pings for this host come from its owner."""
    if not settings.INDEXNOW_ENABLED or key != settings.INDEXNOW_KEY:
        raise Http404
    return HttpResponse(key, content_type="text/plain; charset=utf-8")
