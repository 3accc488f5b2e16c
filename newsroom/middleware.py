"""HTTP caching policy for the public site, in one place."""

from django.conf import settings
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
