"""HTTP policy in one place: caching for the public site, the desk session's idle time."""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils.cache import patch_cache_control

CACHEABLE_STATUSES = frozenset({200, 301, 404})


class PublicCacheMiddleware:
    """Let a CDN or browser keep public answers for a short while (`PUBLIC_CACHE_SECONDS`).

    Only what any reader would get alike: GET or HEAD, no cookie set, nothing varying by cookie,
    and no Cache-Control of its own (the admin sends `private, no-cache`, and keeps it). Pages
    are built from published stories alone, so a story going live shows within that time.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method in {"GET", "HEAD"}
            and response.status_code in CACHEABLE_STATUSES
            and not response.has_header("Cache-Control")
            and not response.cookies
            and "cookie" not in response.get("Vary", "").lower()
        ):
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
        return response


class DeskIdleTimeoutMiddleware:
    """A desk session ends after SESSION_IDLE_MINUTES without a request to the desk.

    The session's own expiry does the ending: the cookie and the stored session live
    SESSION_COOKIE_AGE (the idle time) from their last save, and Django loads an expired one as
    empty. This renews a signed-in session on desk requests, at most once a minute: one write a
    minute of work, where SESSION_SAVE_EVERY_REQUEST would write the session row on every
    request, every autocomplete and every script's call. So a session ends between the idle
    time and a minute less after the last request. Public pages never read the session (they
    must not vary by cookie for the CDN), so reading the site keeps no one signed in.
    """

    RENEW_AFTER_SECONDS = 60
    RENEWED_KEY = "_desk_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response
        self._desk_prefix = None

    def __call__(self, request):
        response = self.get_response(request)
        if self._desk_prefix is None:
            self._desk_prefix = reverse("admin:index")
        # After the view: a login has just filled the session, a logout has just emptied it.
        if request.path.startswith(self._desk_prefix) and SESSION_KEY in request.session:
            self.renew(request.session)
        return response

    @classmethod
    def renew(cls, session) -> None:
        """Mark the session renewed, which saves it with a fresh expiry, unless it just was.

        Also called at login (articles/signals.py): a login saves the session anyway."""
        now = int(time.time())
        renewed = session.get(cls.RENEWED_KEY)
        if not isinstance(renewed, int) or not 0 <= now - renewed < cls.RENEW_AFTER_SECONDS:
            session[cls.RENEWED_KEY] = now
