"""Context every public page shares: the masthead's brand and the editions of the network."""

import functools

from django.conf import settings
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from .caching.dependencies import NAV, depends_on
from .models import Region

NAV_CACHE_KEY = "articles:nav-regions"
NAV_CACHE_SECONDS = 300


def active_regions() -> list[dict]:
    """Active regions for the header, from the cache: regions change rarely, pages render often."""
    return cache.get_or_set(
        NAV_CACHE_KEY,
        lambda: list(Region.objects.active().values("name", "slug")),
        NAV_CACHE_SECONDS,
    )


def _navigation(request) -> list[dict]:
    depends_on(request, NAV)  # the page shows every active region's name and address
    return active_regions()


def site(request):
    return {
        "nav_regions": SimpleLazyObject(functools.partial(_navigation, request)),
        # The region whose edition a page belongs to (a region's pages, its stories); views
        # that have one set it, and the masthead and footer then speak for that edition.
        "edition": None,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "site_logo": settings.SITE_LOGO,
        "site_brand_style": settings.SITE_BRAND_STYLE,
    }
