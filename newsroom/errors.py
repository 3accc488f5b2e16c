"""Answers for requests the site refuses before any view runs, in Russian and in the right design.

A request over DATA_UPLOAD_MAX_MEMORY_SIZE or with too many fields stops in Django before the form
sees it, as a 400: a desk user gets the desk's page saying which limit it was and that the text is
still in their browser (the story form keeps an unsaved copy), a reader gets the site's page.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
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
