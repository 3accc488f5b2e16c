"""Context every public page shares: the region navigation of the header."""

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
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
    }
