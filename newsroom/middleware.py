"""HTTP policy in one place: caching for the whole site (who may keep an answer, for how long,
under which surrogate keys, and the app's own page cache in front of everything else), and the
desk session's idle time."""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import DisallowedHost
from django.urls import reverse
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import parse_http_date_safe

from articles.caching import dependencies, fragments, pagecache

SHAREABLE_STATUSES = frozenset({200, 301, 404})
PRIVATE = "private, no-store"
SURROGATE_KEY_HEADER = "Surrogate-Key"


def private_prefixes() -> tuple[str, ...]:
    """The paths of the desk and of previews: never public, never kept, read from the primary."""
    preview = reverse("articles:article_preview", kwargs={"token": "-"})
    return (reverse("admin:index"), preview.removesuffix("-/"))


class PublicCacheMiddleware:
    """Caching policy, first in MIDDLEWARE.

    - The desk, previews and any answer to a signed-in user: `private, no-store`, kept nowhere.
    - A public answer (GET or HEAD, 200/301/404, no cookie set, no Cache-Control of its own):
      `max-age=0` for browsers, which therefore always ask again and get a 304 by ETag;
      `s-maxage` for shared caches, capped at the next change the page would show by itself
      (a scheduled publication or unpublication), with stale-while-revalidate (not when capped:
      nobody gets the page after that change) and stale-if-error; `Surrogate-Key` naming what
      it shows (articles/caching/dependencies.py). No `Vary`: the page is the same for every
      reader, and a page that touched the session (`Vary: Cookie`) is not public at all.
    - Anything else is `private, no-store` too, unless its view said otherwise (static files).
    - The page cache: an anonymous GET or HEAD of a public page (no session cookie; any other
      cookie is never read by a public page) is answered from the cache, before any other
      middleware or the URL resolver runs; a public answer is stored with its keys, unless a
      purge of one of them arrived while it was being made.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._private_prefixes = None
        self._file_prefixes = tuple(
            prefix for prefix in (settings.STATIC_URL, settings.MEDIA_URL) if prefix
        )

    def __call__(self, request):
        if request.path.startswith(self._file_prefixes):
            return self.get_response(request)  # static files and media keep their own headers
        readable = request.method in ("GET", "HEAD") and not self._private_path(request)
        from_cache = (
            readable and settings.PAGE_CACHE_ENABLED and self._may_answer_from_cache(request)
        )
        if from_cache:
            cached = pagecache.answer(request)
            if cached is not None:
                return cached
        started = pagecache.epoch() if readable else 0
        if readable:
            # What the view's cached fragments are checked against (articles/caching/fragments.py).
            setattr(request, fragments.EPOCH_ATTRIBUTE, started)
        response = self.get_response(request)

        if not readable or self._signed_in(request):
            response["Cache-Control"] = PRIVATE
            return response
        if response.has_header("Cache-Control"):
            return response  # the view's own policy: static files, the preview
        if not self._shareable(response):
            response["Cache-Control"] = PRIVATE
            return response
        if response.status_code == 304:
            # A revalidation: a fresh lifetime, and no keys, so a cache keeps the ones it has.
            response["Cache-Control"] = self._cache_control(*self._lifetime(request))
            return response

        found = dependencies.of(request)
        seconds, capped = self._lifetime(request)
        if not response.streaming and not response.has_header("ETag"):
            set_response_etag(response)
        if seconds:
            response[SURROGATE_KEY_HEADER] = " ".join(sorted(found.keys))
            response["Cache-Control"] = self._cache_control(seconds, capped)
            if from_cache and self._storable(request, response):
                kept = pagecache.store(request, response, found.keys, seconds, started)
            else:
                kept = not pagecache.purged_since(started, found.keys)
            if not kept:
                # Made from what a purge has since replaced: no shared cache may keep it.
                del response[SURROGATE_KEY_HEADER]
                response["Cache-Control"] = PRIVATE
        else:
            response["Cache-Control"] = self._cache_control(0, True)
        if response.status_code == 200:
            last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
            response = get_conditional_response(
                request, etag=response.get("ETag"), last_modified=last_modified, response=response
            )
        return response

    def _private_path(self, request) -> bool:
        if self._private_prefixes is None:
            self._private_prefixes = private_prefixes()
        return request.path.startswith(self._private_prefixes)

    @staticmethod
    def _may_answer_from_cache(request) -> bool:
        """An anonymous reader's request that the rest of the stack would not turn away."""
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return False
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return False  # SecurityMiddleware sends it to https first
        try:
            request.get_host()  # a host not in ALLOWED_HOSTS gets the stack's 400
        except DisallowedHost:
            return False
        return True

    @staticmethod
    def _signed_in(request) -> bool:
        # Only a request with a session cookie can be a signed-in user's; asking any other
        # would load nothing anyway. Static files never reach the authentication middleware.
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return False
        user = getattr(request, "user", None)
        return user is not None and user.is_authenticated

    @staticmethod
    def _shareable(response) -> bool:
        return (
            response.status_code in SHAREABLE_STATUSES | {304}
            and not response.cookies
            and "cookie" not in response.get("Vary", "").lower()
        )

    @staticmethod
    def _storable(request, response) -> bool:
        # HEAD is answered from GET's entry; the page cache keeps no variants.
        return (
            request.method == "GET" and not response.streaming and not response.has_header("Vary")
        )

    @staticmethod
    def _lifetime(request) -> tuple[int, bool]:
        """Seconds a shared cache may keep the answer, and whether a change to come cut them."""
        seconds = settings.PUBLIC_CACHE_SECONDS
        expires = dependencies.of(request).expires_at()
        if expires is None:
            return seconds, False
        left = int(expires.timestamp() - time.time())
        if left >= seconds:
            return seconds, False
        return max(left, 0), True

    @staticmethod
    def _cache_control(seconds: int, capped: bool) -> str:
        parts = ["max-age=0", f"s-maxage={seconds}"]
        if settings.PUBLIC_STALE_WHILE_REVALIDATE_SECONDS and not capped:
            parts.append(f"stale-while-revalidate={settings.PUBLIC_STALE_WHILE_REVALIDATE_SECONDS}")
        if settings.PUBLIC_STALE_IF_ERROR_SECONDS:
            parts.append(f"stale-if-error={settings.PUBLIC_STALE_IF_ERROR_SECONDS}")
        return ", ".join(parts)


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
