"""RSS 2.0 feeds of the site, a region, a tag and an author, and the full-text aggregator feed.

Built on django.contrib.syndication with three departures:
- every URL is on settings.SITE_URL: syndication would put relative links on the request's Host;
- each feed view answers conditional GETs (ETag and Last-Modified, both from one query);
- the photo enclosure's byte size is asked of the storage once per rendition file and then cached,
  because rendition rows do not store it and a storage call per item (an S3 HEAD) would cost more
  than the whole feed.
"""

import datetime
import hashlib
import html
import logging
from typing import NamedTuple

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import MD5
from django.templatetags.static import static
from django.urls import reverse
from django.utils import feedgenerator, timezone
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import condition

from .caching import dependencies as cache_keys
from .metadata import absolute_url
from .models import Article, ArticleAuthor, Author, PhotoRendition, Region, Tag, TaggedArticle
from .renditions import prefetch_renditions, widest_jpeg
from .sanitizer import plain_text

logger = logging.getLogger(__name__)

FEED_SIZE = 50
# Open Graph's JPEG: the picture machines already get for a story, and one file per photo.
ENCLOSURE_SPEC = "og"
ENCLOSURE_MIME_TYPE = "image/jpeg"
# A rendition's file never changes under its row (a rebuilt rendition is a new row), so its size
# can be cached for as long as the cache keeps it; the timeout only lets cold entries go.
RENDITION_SIZE_CACHE_SECONDS = 7 * 24 * 60 * 60
YANDEX_NAMESPACE = "http://news.yandex.ru"
YANDEX_GENRE = "message"


class Validators(NamedTuple):
    etag: str | None
    last_modified: datetime.datetime | None
    # When the feed changes by itself: its next scheduled story, or an item's unpublish time.
    expires: cache_keys.Until = None


def _rendition_sizes(renditions: list[PhotoRendition]) -> dict[int, int]:
    """Byte sizes of rendition files by rendition id: one cache round trip, the storage on a miss.

    A file the storage cannot find is logged and left out, so its story goes without enclosure.
    """
    keys = {f"articles:rendition-size:{rendition.pk}": rendition for rendition in renditions}
    sizes = cache.get_many(keys)
    measured = {}
    for key, rendition in keys.items():
        if key in sizes:
            continue
        try:
            measured[key] = rendition.file.size
        except OSError as error:
            logger.warning("Rendition %s: cannot size %r (%s)", rendition.pk, rendition.file, error)
    cache.set_many(measured, RENDITION_SIZE_CACHE_SECONDS)
    sizes.update(measured)
    return {keys[key].pk: size for key, size in sizes.items()}


def _attach_enclosures(stories: list[Article]) -> None:
    """Set `photo_enclosure` on each story: its main photo's Open Graph JPEG, or None."""
    chosen = {story.pk: widest_jpeg(story.main_photo, ENCLOSURE_SPEC) for story in stories}
    sizes = _rendition_sizes([rendition for rendition in chosen.values() if rendition])
    for story in stories:
        rendition = chosen[story.pk]
        story.photo_enclosure = (
            feedgenerator.Enclosure(
                absolute_url(rendition.file.url), str(sizes[rendition.pk]), ENCLOSURE_MIME_TYPE
            )
            if rendition is not None and rendition.pk in sizes
            else None
        )


class LatestStoriesFeed(Feed):
    """The newest published stories of the whole site; subclasses narrow them by the URL's slug."""

    language = "ru"
    # The URL argument naming the region, tag or author a subclass narrows the stories to.
    slug_kwarg: str | None = None
    # Fifty bodies are most of the bytes of the items query, and only the full-text feed shows them.
    deferred_fields = ("body",)
    # What the ETag reads of each item beyond its id and times: what a feed shows that can change
    # with neither time moving (a body the sanitizer re-cleans keeps its `updated_at`).
    fingerprinted = ()

    @classmethod
    def as_view(cls):
        """The feed as a view that answers conditional GETs with 304, from one query per request."""
        feed = cls()

        def validators(request, **kwargs) -> Validators:
            # condition() asks for the ETag and for the time separately: one answer per request.
            if not hasattr(request, "_feed_validators"):
                request._feed_validators = feed.validators(kwargs.get(cls.slug_kwarg))
                cache_keys.depends_on(request, until=request._feed_validators.expires)
            return request._feed_validators

        def etag(request, **kwargs):
            return validators(request, **kwargs).etag

        def last_modified(request, **kwargs):
            return validators(request, **kwargs).last_modified

        return condition(etag_func=etag, last_modified_func=last_modified)(feed)

    def scope(self, slug: str | None) -> Q:
        """Which published stories belong to this feed, by the slug in its URL."""
        return Q()

    def stories(self, slug: str | None):
        return Article.objects.published().filter(self.scope(slug)).newest_first()[:FEED_SIZE]

    def validators(self, slug: str | None) -> Validators:
        """The ETag and Last-Modified of the feed's items, from one query of their ids and times.

        The time is the latest item's save or publication (a scheduled story changes the feed when
        it comes out); the ETag also changes when a story leaves the feed, which a time cannot say,
        and with what `fingerprinted` reads (the full-text feed's bodies).
        No items (an empty, unknown or inactive scope) means no validators: the view decides.
        The same query says when the feed changes by itself (`expires`).
        """
        scope = Article.objects.filter(self.scope(slug))
        rows = list(
            self.stories(slug)
            .annotate(next_publication=cache_keys.next_publication(scope))
            .values_list(
                "pk",
                "updated_at",
                "published_at",
                "unpublish_at",
                "next_publication",
                *self.fingerprinted,
            )
        )
        if not rows:
            return Validators(None, None, lambda: cache_keys.next_publication_time(scope))
        items = [row[:3] for row in rows]
        fingerprinted = [row[:3] + row[5:] for row in rows]
        fingerprint = hashlib.blake2b(repr(fingerprinted).encode(), digest_size=16).hexdigest()
        now = timezone.now()
        leaving = [row[3] for row in rows if row[3] is not None and row[3] > now]
        expires = min([when for when in (rows[0][4], *leaving) if when is not None], default=None)
        return Validators(
            f'"{fingerprint}"', max(max(updated, due) for _, updated, due in items), expires
        )

    def get_object(self, request, *args, **kwargs):
        cache_keys.depends_on(request, cache_keys.STORIES)
        return None

    def get_context_data(self, **kwargs):
        # Syndication's one hook that sees each item beside the request: the item's keys.
        cache_keys.feed_item(kwargs["request"], kwargs["item"])
        return super().get_context_data(**kwargs)

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # The feed's own address (atom:link rel="self") is the one URL syndication takes from the
        # request; every other URL is absolute on SITE_URL before syndication sees it.
        feed.feed["feed_url"] = iri_to_uri(absolute_url(request.path))
        return feed

    def title(self, obj):
        return settings.SITE_NAME

    def link(self, obj):
        return absolute_url(obj.get_absolute_url() if obj is not None else reverse("articles:home"))

    def description(self, obj):
        return _("Последние новости всех регионов")

    def items(self, obj):
        stories = list(
            self.stories(obj.slug if obj is not None else None)
            .defer(*self.deferred_fields)
            .select_related("region", "main_photo")
            .with_bylines()
            .prefetch_related(prefetch_renditions("main_photo__renditions", ENCLOSURE_SPEC), "tags")
        )
        _attach_enclosures(stories)
        return stories

    def item_title(self, item):
        # The headline as written. Syndication's default escapes it as HTML, and the XML writer
        # escapes again: readers showed "Tom &amp; Jerry". Feed readers take an RSS title as text.
        return item.headline

    def item_description(self, item):
        # RSS descriptions are HTML: the plain-text lead is escaped to read as written.
        return html.escape(item.lead)

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

    def item_guid_is_permalink(self, item):
        return True  # the guid is the link, the story's canonical URL

    def item_pubdate(self, item):
        # On the region's clock, so the offset matches the dateline readers see.
        return timezone.localtime(item.published_at, item.region.zone)

    def item_updateddate(self, item):
        # Not written by RSS 2.0, but syndication's Last-Modified and lastBuildDate read it. Any
        # save counts (a correction saves the story too), as the feed's validators say.
        return max(item.updated_at, item.published_at)

    def item_author_name(self, item):
        return ", ".join(byline.author.name for byline in item.bylines.all()) or None

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]

    def item_enclosures(self, item):
        return [item.photo_enclosure] if item.photo_enclosure is not None else []


class RegionFeed(LatestStoriesFeed):
    slug_kwarg = "region"

    def get_object(self, request, region):
        region = Region.objects.active().get(slug=region)
        cache_keys.depends_on(
            request, cache_keys.region(region.pk), cache_keys.region_stories(region.pk)
        )
        return region

    def scope(self, slug):
        return Q(region__slug=slug)

    def title(self, obj):
        return _("%(site)s — %(region)s") % {"site": settings.SITE_NAME, "region": obj.name}

    def description(self, obj):
        return obj.description or _("Последние новости: %(region)s") % {"region": obj.name}


class TagFeed(LatestStoriesFeed):
    slug_kwarg = "tag"

    def get_object(self, request, tag):
        tag = Tag.objects.with_published_stories().get(slug=tag)
        cache_keys.depends_on(request, cache_keys.tag(tag.pk), cache_keys.tag_stories(tag.pk))
        return tag

    def scope(self, slug):
        return Exists(TaggedArticle.objects.filter(content_object=OuterRef("pk"), tag__slug=slug))

    def title(self, obj):
        return _("%(site)s — тег «%(tag)s»") % {"site": settings.SITE_NAME, "tag": obj.name}

    def description(self, obj):
        return _("Материалы с тегом «%(tag)s»") % {"tag": obj.name}


class AuthorFeed(LatestStoriesFeed):
    slug_kwarg = "author"

    def get_object(self, request, author):
        author = Author.objects.active().get(slug=author)
        cache_keys.depends_on(
            request, cache_keys.author(author.pk), cache_keys.author_stories(author.pk)
        )
        return author

    def scope(self, slug):
        return Exists(
            ArticleAuthor.objects.filter(
                article=OuterRef("pk"), author__slug=slug, author__is_active=True
            )
        )

    def title(self, obj):
        return _("%(site)s — %(author)s") % {"site": settings.SITE_NAME, "author": obj.name}

    def description(self, obj):
        return _("Материалы автора: %(author)s") % {"author": obj.name}


class YandexNewsRss(feedgenerator.Rss201rev2Feed):
    """RSS 2.0 with the yandex: elements Russian news aggregators read: full text and genre."""

    def rss_attributes(self):
        # On <rss>, where syndication declares its own atom: prefix too.
        return {**super().rss_attributes(), "xmlns:yandex": YANDEX_NAMESPACE}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        handler.addQuickElement("yandex:logo", self.feed["logo"])

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("yandex:genre", YANDEX_GENRE)
        handler.addQuickElement("yandex:full-text", item["full_text"])


class FullTextFeedMixin:
    """The aggregator variant of a feed: plain-text lead (the title is plain in every feed) and the
    story's full text."""

    feed_type = YandexNewsRss
    deferred_fields = ()
    # A digest of each body, hashed by the database: `resanitize_bodies` changes the full text.
    fingerprinted = (MD5("body"),)

    def feed_extra_kwargs(self, obj):
        return {"logo": absolute_url(static("img/logo.png"))}

    def item_description(self, item):
        return item.lead

    def item_extra_kwargs(self, item):
        # A story told in its lead alone (a short breaking item) still has a full text to give.
        return {"full_text": plain_text(item.body) or item.lead}


class FullTextFeed(FullTextFeedMixin, LatestStoriesFeed):
    pass


class RegionFullTextFeed(FullTextFeedMixin, RegionFeed):
    pass
