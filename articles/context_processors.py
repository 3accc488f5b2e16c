"""Context every public page shares: the masthead's brand and the editions of the network."""

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.templatetags.static import static
from django.utils.functional import SimpleLazyObject

from .caching.dependencies import NAV, depends_on
from .models import Region
from .paths import region_path, site_paths

# Named for what it holds: an entry of an earlier shape (without urls) is never read as this one.
NAV_CACHE_KEY = "articles:nav-regions-with-urls"
NAV_CACHE_SECONDS = 300


def _navigation_entry() -> dict:
    """Active regions for the header (name, slug, url), from the cache: regions change rarely,
    pages render often, and each page links to every region three times. `version` names what
    the rendered header and footer show of them (base.html caches those by it)."""

    def make() -> dict:
        regions = [
            region | {"url": region_path(region["slug"])}
            for region in Region.objects.active().values("name", "slug")
        ]
        shown = repr([settings.SITE_NAME, static(settings.SITE_LOGO), site_paths(), regions])
        version = hashlib.blake2b(shown.encode(), digest_size=8).hexdigest()
        return {"regions": regions, "version": version}

    return cache.get_or_set(NAV_CACHE_KEY, make, NAV_CACHE_SECONDS)


def active_regions() -> list[dict]:
    return _navigation_entry()["regions"]


def _navigation(request) -> dict:
    depends_on(request, NAV)  # the page shows every active region's name and address
    return _navigation_entry()


def site(request):
    return {
        "nav": SimpleLazyObject(functools.partial(_navigation, request)),
        # How long base.html keeps its rendered header and footer: 0, none, on a cold cache.
        "nav_seconds": settings.PUBLIC_CACHE_SECONDS if settings.FRAGMENT_CACHE_ENABLED else 0,
        # The region whose edition a page belongs to (a region's pages, its stories); views
        # that have one set it, and the masthead and footer then speak for that edition.
        "edition": None,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "site_logo": settings.SITE_LOGO,
        "site_brand_style": settings.SITE_BRAND_STYLE,
        "site_paths": site_paths(),
    }
