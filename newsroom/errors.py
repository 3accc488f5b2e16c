"""Answers for requests the site refuses before any view runs, in Russian and in the right design.

A request over DATA_UPLOAD_MAX_MEMORY_SIZE or with too many fields stops in Django before the form
sees it, as a 400: a desk user gets the desk's page saying which limit it was and that the text is
still in their browser (the story form keeps an unsaved copy), a reader gets the site's page.

A request that fails because the database does not answer gets a 503 with Retry-After instead
of the 500 page, rendered from settings alone, as the database is the one thing it cannot ask.
"""

import logging
import sys
import threading
import time

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.template.response import TemplateResponse

from newsroom import health


def bad_request(request, exception=None):
    too_big = isinstance(exception, RequestDataTooBig)
    too_many = isinstance(exception, TooManyFieldsSent)
    context = {
        "too_big": too_big,
        "too_many": too_many,
        "limit_mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024),
        "title": "Запрос не принят",
    }
    on_desk = request.path.startswith("/admin/")
    template = "admin/400.html" if on_desk else "400.html"
    if on_desk:
        from django.contrib import admin

        context |= admin.site.each_context(request)
    response = TemplateResponse(request, template, context, status=400)
    response["Cache-Control"] = "private, no-store"
    return response


# A database that cannot be reached or gave up on a statement (connect or statement timeout,
# a dropped connection), on PostgreSQL and SQLite alike; what the site answers 503 for.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
OUTAGE_LOG_SECONDS = 60


def server_error(request):
    """The 500 page, or the outage page when the request failed because the database did not
    answer: a 503 a reader, a crawler and the edge all know to try again later."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return unavailable(request)
    return HttpResponseServerError(loader.render_to_string("500.html", _standalone_context()))


def _standalone_context() -> dict:
    """What templates/standalone.html shows: the brand, from settings."""
    return {
        "site_name": settings.SITE_NAME,
        "site_logo": settings.SITE_LOGO,
        "site_brand_style": settings.SITE_BRAND_STYLE,
    }


def unavailable(request, *, search: bool = False):
    """The static 503 page: settings only, no request context, nothing that needs the database.

    The desk's, for a save, says that the story's text stays in the browser (the story form keeps
    an unsaved copy and offers it back), so an editor whose save failed knows where the text is.
    No cache may keep it; Retry-After tells browsers, crawlers and the edge when to ask again.
    """
    template = "admin/503.html" if request.path.startswith("/admin/") else "503.html"
    context = _standalone_context() | {
        "saving": request.method == "POST",
        "search": search,  # only search is down (articles/views.py)
    }
    response = HttpResponse(loader.render_to_string(template, context), status=503)
    response["Retry-After"] = str(settings.OUTAGE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class OutageLogFilter(logging.Filter):
    """On `django.request`: an outage is logged once a minute, not once per request or probe.

    The first 503 of an outage (a page the database failed, /readyz saying "not ready") is
    logged, with its traceback; the next ones within OUTAGE_LOG_SECONDS are counted instead, and
    the first one after says how many there were. Any other error passes untouched.
    """

    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()
        self.logged_at = None
        self.quiet = 0

    def filter(self, record):
        if not self._outage(record):
            return True
        now = time.monotonic()
        with self.lock:
            if self.logged_at is not None and now - self.logged_at < OUTAGE_LOG_SECONDS:
                self.quiet += 1
                return False
            quiet, self.quiet, self.logged_at = self.quiet, 0, now
        if quiet:
            record.msg = f"{record.msg} (and {quiet} more such answers since the last report)"
        return True

    @staticmethod
    def _outage(record) -> bool:
        """A page the database failed, or a load balancer's probe answered "not ready"."""
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, DATABASE_UNAVAILABLE):
            return True
        request = getattr(record, "request", None)
        return getattr(record, "status_code", None) == 503 and (
            getattr(request, "path", None) == health.READY_PATH
        )
