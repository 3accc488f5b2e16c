"""Context every public page shares: the masthead's brand and the editions of the network."""

from django.conf import settings
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

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


def site(request):
    return {
        "nav_regions": SimpleLazyObject(active_regions),
        # The region whose edition a page belongs to (a region's pages, its stories); views
        # that have one set it, and the masthead and footer then speak for that edition.
        "edition": None,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "site_logo": settings.SITE_LOGO,
        "site_brand_style": settings.SITE_BRAND_STYLE,
    }
