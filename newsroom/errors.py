"""Answers for requests the site refuses before any view runs, in Russian and in the right design.

A request over DATA_UPLOAD_MAX_MEMORY_SIZE or with too many fields stops in Django before the form
sees it, as a 400: a desk user gets the desk's page saying which limit it was and that the text is
still in their browser (the story form keeps an unsaved copy), a reader gets the site's page.

A request that fails because the database does not answer gets a 503 with Retry-After instead
of the 500 page, rendered from settings alone, as the database is the one thing it cannot ask.
"""

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.template.response import TemplateResponse


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


def server_error(request):
    """The 500 page, or the outage page when the request failed because the database did not
    answer: a 503 a reader, a crawler and the edge all know to try again later."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return unavailable(request)
    return HttpResponseServerError(loader.render_to_string("500.html"))


def unavailable(request):
    """The static 503 page: settings only, no request context, nothing that needs the database.

    The desk's says that the story's text stays in the browser (the story form keeps an unsaved
    copy and offers it back), so an editor whose save failed knows where the text is. No cache
    may keep it; Retry-After tells browsers, crawlers and the edge when to ask again.
    """
    template = "admin/503.html" if request.path.startswith("/admin/") else "503.html"
    context = {
        "site_name": settings.SITE_NAME,
        "site_logo": settings.SITE_LOGO,
        "site_brand_style": settings.SITE_BRAND_STYLE,
        "retry_after": settings.OUTAGE_RETRY_AFTER_SECONDS,
    }
    response = HttpResponse(loader.render_to_string(template, context), status=503)
    response["Retry-After"] = str(settings.OUTAGE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
