"""Sitemaps for crawlers: an index over stories, regions, tags, authors and a Google News sitemap.

Built on django.contrib.sitemaps, but every location is on settings.SITE_URL: Django would take the
domain from django.contrib.sites or, without it, from the request's Host header. Every item query
also says, in the same query, when the site's next story comes out or goes: a cached sitemap is
right until then, or until a purge of `every-story`.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max, Min, OuterRef, Subquery
from django.http import Http404
from django.utils import timezone

from .caching import dependencies as cache_keys
from .metadata import absolute_url
from .models import Article, Author, Region, Tag, last_changed_expression

# Google News takes stories of the last two days only.
NEWS_WINDOW = datetime.timedelta(hours=48)


class SiteSitemap(Sitemap):
    """A section whose URLs are on SITE_URL and whose items carry a `last_modified` annotation."""

    template_name = "sitemaps/sitemap.xml"

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        # Everything after the scheme, so `protocol://domain` + path is `absolute_url(path)`.
        return settings.SITE_URL.partition("://")[2]

    def lastmod(self, item):
        return item.last_modified

    def get_latest_lastmod(self):
        # Django's default calls lastmod() on every item of the section; one aggregate instead.
        site = Article.objects.all()
        found = self.items().aggregate(
            latest=Max("last_modified"),
            next_publication=Min(cache_keys.next_publication(site)),
            next_unpublication=Min(cache_keys.next_unpublication(site)),
        )
        self.changes_at = _earliest(found["next_publication"], found["next_unpublication"])
        return found["latest"]

    def expires(self, items) -> datetime.datetime | None:
        """When a page of this section showing `items` changes by itself."""
        if not items:
            return cache_keys.next_release_time(Article.objects.all())
        return _earliest(items[0].next_publication, items[0].next_unpublication)


def _earliest(*times):
    return min((when for when in times if when is not None), default=None)


def _with_release(queryset):
    """Annotate the site's next publication and unpublication: the same on every row, and one
    lookup each however many rows the query returns."""
    site = Article.objects.all()
    return queryset.annotate(
        next_publication=cache_keys.next_publication(site),
        next_unpublication=cache_keys.next_unpublication(site),
    )


def _stories():
    """Published stories with just what a sitemap entry needs; modified when saved or when due."""
    return _with_release(
        Article.objects.published()
        .select_related("region")
        .only(
            "slug", "headline", "published_at", "corrected_at", "region__slug", "region__time_zone"
        )
        .annotate(last_modified=last_changed_expression())
    )


def _newest_story_time(**lookups):
    """When the newest published story matching the lookups came out: a listing's lastmod."""
    newest = Article.objects.published().filter(**lookups).newest_first()
    return Subquery(newest.values("published_at")[:1])


class StorySitemap(SiteSitemap):
    limit = 50_000  # the protocol's maximum of URLs per sitemap

    def items(self):
        # Oldest first: a new story lands on the last page and earlier pages keep their URLs.
        return _stories().order_by("published_at", "pk")


class NewsSitemap(SiteSitemap):
    template_name = "sitemaps/news.xml"
    limit = 1000  # Google News' maximum of URLs per news sitemap

    def items(self):
        recent = _stories().filter(published_at__gte=timezone.now() - NEWS_WINDOW)
        return recent.order_by("-published_at", "-pk")[: self.limit]

    def expires(self, items):
        # A story leaves the news sitemap when it turns two days old.
        oldest = min((item.published_at for item in items), default=None)
        return _earliest(super().expires(items), oldest and oldest + NEWS_WINDOW)


class RegionSitemap(SiteSitemap):
    def items(self):
        newest = _newest_story_time(region=OuterRef("pk"))
        regions = Region.objects.active().only("slug")
        return _with_release(regions.annotate(last_modified=newest)).order_by("pk")


class TagSitemap(SiteSitemap):
    def items(self):
        newest = _newest_story_time(tagged_items__tag=OuterRef("pk"))
        # A tag without a published story has no newest one: its page would list nothing.
        tags = Tag.objects.only("slug").annotate(last_modified=newest)
        return _with_release(tags.filter(last_modified__isnull=False)).order_by("pk")


class AuthorSitemap(SiteSitemap):
    def items(self):
        newest = _newest_story_time(bylines__author=OuterRef("pk"))
        authors = Author.objects.active().only("slug").annotate(last_modified=newest)
        return _with_release(authors.filter(last_modified__isnull=False)).order_by("pk")


SECTIONS = {
    "news": NewsSitemap,
    "stories": StorySitemap,
    "regions": RegionSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}


def index(request):
    """Django's index view, each page's location moved from the request's host onto SITE_URL."""
    # Instances, not classes, so each section's `changes_at` can be read back.
    sections = {name: section() for name, section in SECTIONS.items()}
    response = sitemap_views.index(
        request,
        sections,
        template_name="sitemaps/index.xml",
        sitemap_url_name="sitemap_section",
    )
    cache_keys.depends_on(
        request,
        cache_keys.EVERY_STORY,
        until=[getattr(section, "changes_at", None) for section in sections.values()],
    )
    for entry in response.context_data["sitemaps"]:
        url = urlsplit(entry.location)
        entry.location = absolute_url(f"{url.path}?{url.query}" if url.query else url.path)
    return response


def section(request, section: str):
    """One page (`?p=`) of one section; a bad or out-of-range page is Django's 404."""
    if section not in SECTIONS:
        raise Http404("Нет такой карты сайта.")
    sitemap = SECTIONS[section]()
    response = sitemap_views.sitemap(
        request, {section: sitemap}, section=section, template_name=sitemap.template_name
    )
    items = [url["item"] for url in response.context_data["urlset"]]
    cache_keys.depends_on(request, cache_keys.EVERY_STORY, until=lambda: sitemap.expires(items))
    return response
