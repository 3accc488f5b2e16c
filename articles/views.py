"""Public, read-only pages. What a reader may see comes from `Article.objects.published()` alone.

Each view fetches everything its template shows, so templates never query; the query-count tests
in tests/test_views.py pin how many queries each page makes.
"""

import datetime
import functools
import logging
from dataclasses import dataclass
from typing import NamedTuple

from django.db import ProgrammingError
from django.db.models import Exists, F, OuterRef, Q, Window, prefetch_related_objects
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.defaults import page_not_found

from newsroom import errors

from . import ratelimit
from .caching import dependencies as cache_keys
from .caching import fragments
from .metadata import news_article
from .models import Article, Author, Region, Tag, TaggedArticle
from .pagination import Page, page_number, paginate
from .paths import author_path, region_path, story_path, tag_path
from .publishing.previews import article_for_preview
from .renditions import RenditionURL, prefetch_renditions, rendition_url
from .search import SearchForm, highlight, more_matches_notice, search_articles
from .templatetags.photos import picture

logger = logging.getLogger(__name__)

# The teaser block holds this many links; "read also" fills what the editor left empty.
TEASER_BLOCK_SIZE = 6
BREAKING_WINDOW = datetime.timedelta(hours=24)
BREAKING_LIMIT = 3
# A front page's first page: the top story, then this many in a grid with photos, then a list.
FRONT_GRID_SIZE = 4
# The network's home shows each region's newest few, picked among the network's newest stories.
REGIONAL_BLOCK_SIZE = 3
REGIONAL_BLOCK_POOL = 200
# Day archives start with the network; earlier dates are mistyped URLs, not lost journalism.
FIRST_ARCHIVE_YEAR = 1991


def home(request):
    number = page_number(request.GET.get("page"))
    rows, parts = listing_rows(
        request, "home", number, lambda: home_rows(request, number), parts=("list", "regional")
    )
    context = {
        "page": rows.page,
        "front": front_page(rows.page, rows.breaking),
        "regional_blocks": rows.blocks,
        "network_list": True,
        fragments.PAGE_FRAGMENTS_CONTEXT: parts,
    }
    return fragments.render(request, "articles/home.html", CARD_CONTEXT | context)


@dataclass(frozen=True)
class HomeRows:
    """The stories of a page of the network's home, as card rows: fresh breaking news, the page
    of latest stories, and on page 1 each region's block."""

    breaking: list["ListingCard"]
    page: Page
    blocks: list["RegionalBlock"]


def home_rows(request, number: int) -> HomeRows:
    recent = timezone.now() - BREAKING_WINDOW
    breaking = [
        ListingCard(*row)
        for row in latest_stories(is_breaking=True, published_at__gte=recent).values_list(
            *fragments.CARD_ROW_FIELDS, "is_breaking"
        )[:BREAKING_LIMIT]
    ]
    latest = latest_stories(~Q(pk__in=[story.pk for story in breaking]))
    page = card_page(latest, Article.objects.all(), number)
    blocks = []
    if page.number == 1:
        blocks = regional_blocks(shown={story.pk for story in [*breaking, *page.items]})
    block_stories = [story for block in blocks for story in block.stories]
    # Any story of the network may join the page; a breaking story leaves the top when its
    # window closes.
    cache_keys.listing(request, page.items, cache_keys.STORIES, scope=Article.objects.all())
    cache_keys.depends_on(
        request,
        *cache_keys.card_keys([*breaking, *block_stories]),
        until=[story.published_at + BREAKING_WINDOW for story in breaking],
    )
    return HomeRows(breaking, page, blocks)


@dataclass(frozen=True)
class Front:
    """Page 1 of a front page as news sites lay it out: the top story large, a grid of the next
    stories with their photos, the rest as a compact list."""

    lead: Article
    lead_breaking: bool
    also_breaking: list[Article]
    grid: list[Article]
    rest: list[Article]


def front_page(page, breaking: list[Article] = ()) -> Front | None:
    """The front of a listing's first page: breaking news leads, else the newest story.

    Pages after the first are a plain stream (None). `breaking` are fresh breaking stories
    fetched apart from the page (the home page's); without them, a fresh breaking story among
    the page's own leads it (a region's front page: the newest twenty hold any of today's).
    """
    if page.number != 1 or not (breaking or page.items):
        return None
    items = list(page.items)
    recent = timezone.now() - BREAKING_WINDOW
    if breaking:
        lead, also_breaking = breaking[0], list(breaking[1:])
    else:
        fresh = [a for a in items if a.is_breaking and a.published_at >= recent]
        lead, also_breaking = (fresh or items)[0], []
        items.remove(lead)
    return Front(
        lead=lead,
        lead_breaking=bool(breaking) or (lead.is_breaking and lead.published_at >= recent),
        also_breaking=also_breaking,
        grid=items[:FRONT_GRID_SIZE],
        rest=items[FRONT_GRID_SIZE:],
    )


class RegionLink(NamedTuple):
    """What a regional block's heading shows of its region."""

    name: str
    slug: str

    def get_absolute_url(self) -> str:
        return region_path(self.slug)


@dataclass(frozen=True)
class RegionalBlock:
    region: RegionLink
    stories: list[fragments.CardRow]


def regional_blocks(*, shown: set[int]) -> list[RegionalBlock]:
    """Each region's newest stories not already on the page, for the network's home page.

    One query whatever the number of regions: a window over the network's newest stories ranks
    each region's own. A region silent through all of those has no block today.
    """
    pool = Article.objects.published().newest_first().values("pk")[:REGIONAL_BLOCK_POOL]
    ranked = (
        Article.objects.filter(pk__in=pool)
        .exclude(pk__in=shown)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("region_id"),
                order_by=[F("published_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=REGIONAL_BLOCK_SIZE)
        .order_by("region__position", "region__name", "rank")
        .values_list(*fragments.CARD_ROW_FIELDS, "region__name", "region__slug")
    )
    blocks: dict[int, RegionalBlock] = {}
    for *card, name, slug in ranked:
        story = fragments.CardRow(*card)
        block = blocks.setdefault(story.region_id, RegionalBlock(RegionLink(name, slug), []))
        block.stories.append(story)
    return list(blocks.values())


def latest_stories(*conditions, **filters):
    """Published stories matching the conditions, newest first, ready to show as cards."""
    return Article.objects.published().filter(*conditions, **filters).newest_first().as_cards()


# What a story card needs to know of the list it stands in, given outright: a variable the
# template has to find missing costs an exception per card.
CARD_CONTEXT = {
    "card_level": 2,
    "search_results": False,
    "front": None,
    "card_style": "stream",
    "card_breaking": False,
    "latest_title": "",
    # Stories of several regions: each card names its region beside the time.
    "network_list": False,
}


def with_release(stories, scope):
    """The listing with, on each row, when the next story of `scope` (every story the listing
    may ever show) comes out or goes: one lookup each within the page's own query, the moment a
    cached page of the listing stops being right."""
    return stories.annotate(
        next_publication=cache_keys.next_publication(scope),
        next_unpublication=cache_keys.next_unpublication(scope),
    )


@dataclass
class ListingCard(fragments.CardRow):
    """A story of a listing's page: what its card slot, its place on a front page and the
    listing's lifetime need; the card itself comes from the fragment cache."""

    is_breaking: bool
    # Carried by a page's rows (`card_page`), not by the home page's breaking stories.
    next_publication: datetime.datetime | None = None
    next_unpublication: datetime.datetime | None = None


def card_page(stories, scope, number: int) -> Page:
    """Page `number` of a listing's stories as card rows, with the release times of `scope`:
    values read in one query, no model object made."""
    rows = with_release(stories, scope).values_list(
        *fragments.CARD_ROW_FIELDS, "is_breaking", "next_publication", "next_unpublication"
    )
    return paginate(rows, number).map(ListingCard)


def listing_rows(request, name: str, number: int, make, *, parts: tuple[str, ...]):
    """Page `number` of a listing as `make()` reads it (card rows), and where the page keeps the
    parts of its template around its cards (`{% fragment %}`: its list of cards and `parts`).

    The rows are a fragment (`listing:<name>:<number>`) under the keys and until the time their
    making names (`fragments.recorded`); the parts, under the page's own. All of them are read
    in one round trip."""
    kept = fragments.PageFragments(request, f"listing:{name}:{number}")
    fragments.prefetch(request, [kept.prefix, *kept.names(*parts)])
    return fragments.recorded(request, kept.prefix, make), kept


def listing_page(
    request, name: str, narrow, *, listed: str, parts: tuple[str, ...] = ("list",)
) -> tuple[Page, fragments.PageFragments]:
    """The page of a listing the URL asks for (`?page=`) as card rows, and where the page keeps
    its list of cards and its other `parts` (`listing_rows`).

    The rows are kept under the listing's key (`listed`: which stories, in what order) and its
    cards' keys, until the listing's next story comes out or goes. `narrow(stories)` picks the
    listing's stories out of any Article queryset: the published ones newest first for the page,
    all of them (`scope`) for its next release. It is called only when the page is to be made,
    so a page read from the fragment cache builds no query."""
    number = page_number(request.GET.get("page"))

    def make():
        scope = narrow(Article.objects.all())
        page = card_page(narrow(latest_stories()), scope, number)
        cache_keys.listing(request, page.items, listed, scope=scope)
        return page

    return listing_rows(request, name, number, make, parts=parts)


def render_listing(
    request, template: str, name: str, narrow, *, listed: str, parts=("list",), **context
):
    """One page of a listing (`?page=`), with whatever the page says about itself."""
    context["page"], context[fragments.PAGE_FRAGMENTS_CONTEXT] = listing_page(
        request, name, narrow, listed=listed, parts=parts
    )
    return fragments.render(request, template, CARD_CONTEXT | context)


def region_detail(request, region: str):
    region = get_object_or_404(Region.objects.active(), slug=region)
    _region_listing(request, region)
    page, parts = listing_page(
        request,
        f"region:{region.pk}",
        lambda stories: stories.in_region(region),
        listed=cache_keys.region_stories(region.pk),
    )
    front = front_page(page)
    if front is not None and front.lead_breaking:
        # Breaking news leads the front page for its first day only.
        cache_keys.depends_on(request, until=front.lead.published_at + BREAKING_WINDOW)
    context = {
        "page": page,
        "front": front,
        "region": region,
        "edition": region,
        fragments.PAGE_FRAGMENTS_CONTEXT: parts,
    }
    return fragments.render(request, "articles/region_detail.html", CARD_CONTEXT | context)


def _region_listing(request, region: Region) -> None:
    cache_keys.depends_on(
        request, cache_keys.region(region.pk), cache_keys.region_stories(region.pk)
    )


def region_day_archive(request, region: str, year: int, month: int, day: int):
    region = get_object_or_404(Region.objects.active(), slug=region)
    _region_listing(request, region)
    try:
        date = datetime.date(year, month, day)
    except (ValueError, OverflowError):
        raise Http404("Такой даты нет.") from None
    today = timezone.localdate(timezone=region.zone)
    # The day on the region's own calendar, from its local midnight to the next.
    start = datetime.datetime.combine(date, datetime.time.min, tzinfo=region.zone)
    if date.year < FIRST_ARCHIVE_YEAR or date > today:
        # A day still to come has its archive from its midnight on.
        cache_keys.depends_on(request, until=start if date > today else None)
        raise Http404("Архива за эту дату нет.")
    end = start + datetime.timedelta(days=1)
    return render_listing(
        request,
        "articles/region_day_archive.html",
        f"region:{region.pk}:{date.isoformat()}",
        lambda stories: stories.in_region(region).filter(
            published_at__gte=start, published_at__lt=end
        ),
        listed=cache_keys.region_stories(region.pk),
        region=region,
        edition=region,
        date=date,
    )


def tag_detail(request, tag: str):
    tag = get_object_or_404(Tag, slug=tag)
    cache_keys.depends_on(request, cache_keys.tag(tag.pk), cache_keys.tag_stories(tag.pk))
    page, parts = listing_page(
        request,
        f"tag:{tag.pk}",
        lambda stories: stories.tagged(tag),
        listed=cache_keys.tag_stories(tag.pk),
    )
    if not page.items:
        # A tag given only to stories readers cannot see (drafts, scheduled) stays private: its
        # first page is empty (a later one is not found already). Its first story makes it a page.
        raise Http404("Под этим тегом нет опубликованных материалов.")
    context = {
        "page": page,
        "tag": tag,
        "network_list": True,
        fragments.PAGE_FRAGMENTS_CONTEXT: parts,
    }
    return fragments.render(request, "articles/tag_detail.html", CARD_CONTEXT | context)


def author_detail(request, author: str):
    author = get_object_or_404(Author.objects.active().select_related("photo"), slug=author)
    cache_keys.depends_on(
        request, cache_keys.author(author.pk), cache_keys.author_stories(author.pk)
    )
    if author.photo_id:
        cache_keys.depends_on(request, cache_keys.photo(author.photo_id))
    # The author's header is a part of the page too: its photo's renditions are read only to
    # make it.
    return render_listing(
        request,
        "articles/author_detail.html",
        f"author:{author.pk}",
        lambda stories: stories.by_author(author),
        listed=cache_keys.author_stories(author.pk),
        parts=("list", "header"),
        author=author,
        network_list=True,
    )


def search(request):
    form = SearchForm(request.GET)
    form.is_valid()  # an invalid filter is shown with its error and left out of the search
    params = form.cleaned_data
    page = results = None
    if params["q"]:
        wait = ratelimit.seconds_to_wait(request)
        if wait:
            return ratelimit.too_many_searches(request, wait)
        try:
            page, results = _search_page(request, params)
        except ProgrammingError:
            # The database lacks what search reads (the search column, its function or index,
            # of a migration not yet applied): search says it is down for now, the rest of the
            # site works, and /readyz names the unapplied migrations. The answer asks nothing
            # more of the database, whose transaction may now refuse every statement.
            logger.exception("Search failed: are migrations pending? (/readyz tells)")
            return errors.unavailable(request, search=True)
    context = {
        "form": form,
        "query": params["q"],
        "page": page,
        "search_results": True,
        "network_list": True,
    }
    # Only the newest matches are ranked: the page says so when the query has more.
    if page and results.more_matches:
        context["more_matches_notice"] = more_matches_notice()
    return fragments.render(request, "articles/search.html", CARD_CONTEXT | context)


@dataclass
class SearchCard(fragments.CardRow):
    """A result as the page needs it: its card comes from the cache, with the query's marks."""

    found_headline: str
    found_snippet: str


def site_release_time(request) -> datetime.datetime | None:
    """When the next story of the whole site comes out or goes: a fragment purged whenever a
    published or scheduled story changes (`every-story`), kept until that time at most."""

    def make():
        when = cache_keys.next_release_time(Article.objects.all())
        return when, {cache_keys.EVERY_STORY}, [when]

    return fragments.cached(request, "release:site", make)


def _search_page(request, params):
    results = search_articles(
        params["q"],
        region=params.get("region", ""),
        date_from=params.get("from"),
        date_to=params.get("to"),
    )
    rows = results.stories.values_list(
        *fragments.CARD_ROW_FIELDS, "found_headline", "found_snippet"
    )
    page = paginate(rows, page_number(request.GET.get("page")), bounded=True).map(SearchCard)
    found_by = (cache_keys.STORIES, cache_keys.EVERY_STORY)
    # Any story may come to match: the site's next release caps the cached page.
    release = functools.partial(site_release_time, request)
    cache_keys.listing(request, page.items, *found_by, scope=Article.objects.all(), release=release)
    highlight(page.items)
    return page, results


class ReadAlso(NamedTuple):
    """A "read also" link: what the rail shows of another story, and what caching needs."""

    pk: int
    region_id: int
    unpublish_at: datetime.datetime | None
    headline: str
    url: str


def _read_also(article: Article, tag_ids: list[int], shown: set[int]) -> list[ReadAlso]:
    """Other published stories of the region sharing a tag with this one, newest first.

    Stories the teaser block already links to (`shown`) are not offered a second time."""
    if not tag_ids:
        return []
    rows = (
        Article.objects.published()
        .in_region(article.region_id)
        .filter(
            Exists(TaggedArticle.objects.filter(content_object=OuterRef("pk"), tag_id__in=tag_ids))
        )
        .exclude(pk__in={article.pk, *shown})
        .newest_first()
        # The unpublish time says when a cached page showing the link stops being right.
        .values_list("pk", "region_id", "unpublish_at", "headline", "slug")[:TEASER_BLOCK_SIZE]
    )
    region_slug = article.region.slug  # the same region's stories
    return [
        ReadAlso(pk, region_id, unpublish_at, headline, story_path(region_slug, pk, slug))
        for pk, region_id, unpublish_at, headline, slug in rows
    ]


def story_page_queryset():
    """The story as its page and its preview show it, with its region and photo.

    Its byline, tags and corrections (`story_parts`), its rail (teasers, "read also") and the
    lead photo's renditions are fetched apart, only when they are not in the fragment cache."""
    return Article.objects.select_related("region", "main_photo").with_last_changed()


class Byline(NamedTuple):
    pk: int
    name: str
    slug: str
    is_active: bool

    def get_absolute_url(self) -> str:
        return author_path(self.slug)


class TagLink(NamedTuple):
    pk: int
    name: str
    slug: str

    def get_absolute_url(self) -> str:
        return tag_path(self.slug)


class CorrectionNote(NamedTuple):
    text: str
    created_at: datetime.datetime


def parts_name(pk: int) -> str:
    return f"parts:{pk}"


def rail_name(pk: int) -> str:
    return f"rail:{pk}"


def story_prefix(pk: int) -> str:
    """The name of a story page's own `{% fragment %}` parts, its head and its text."""
    return f"story:{pk}"


def story_fragment_names(pk: int) -> list[str]:
    prefix = story_prefix(pk)
    return [parts_name(pk), rail_name(pk), f"{prefix}:head", f"{prefix}:text"]


@dataclass(frozen=True)
class StoryParts:
    """What a story page shows of the story beside its own row: values, no model objects."""

    authors: list[Byline]
    tags: list[TagLink]
    corrections: list[CorrectionNote]  # newest first, as the page and the JSON-LD list them


def story_parts(request, article: Article) -> StoryParts:
    """The byline, tags and corrections of a story: from the fragment cache, or three queries.

    Kept under the story's key (a byline, tag or correction edited purges it), its authors' and
    its tags' (a new name)."""

    def make():
        authors = [
            Byline(*row)
            for row in article.bylines.order_by("position", "id").values_list(
                "author_id", "author__name", "author__slug", "author__is_active"
            )
        ]
        tags = [
            TagLink(*row) for row in article.tags.order_by("name").values_list("pk", "name", "slug")
        ]
        corrections = [
            CorrectionNote(*row)
            for row in article.corrections.order_by("-created_at", "-id").values_list(
                "text", "created_at"
            )
        ]
        keys = {cache_keys.story(article.pk)}
        keys.update(cache_keys.author(author.pk) for author in authors)
        keys.update(cache_keys.tag(tag.pk) for tag in tags)
        return StoryParts(authors, tags, corrections), keys, []

    if request is None:
        return make()[0]
    return fragments.cached(request, parts_name(article.pk), make)


@dataclass(frozen=True)
class Rail:
    """A story's teaser and "read also" block as the page shows it, with what it depends on."""

    html: str
    keys: set[str]
    until: list


def story_rail(request, article: Article, tag_ids: list[int]) -> Rail:
    """The rail of a story page, from the fragment cache or made now (two queries)."""

    def make():
        teasers = list(article.related_links.visible().select_related("target_article__region"))
        shown = {teaser.target_article_id for teaser in teasers if teaser.target_article_id}
        read_also = _read_also(article, tag_ids, shown)[: max(0, TEASER_BLOCK_SIZE - len(teasers))]
        keys, until = cache_keys.story_rail(article, tag_ids, teasers=teasers, read_also=read_also)
        # A scheduled story joining "read also", or coming out as a teaser's target, is shown
        # from its time on: neither the rail nor a page showing it is kept past that (the
        # story page's query carries the times when the rail is to be made; a preview's not).
        until += [getattr(article, name, None) for name in ("next_read_also", "next_teaser_target")]
        html = ""
        if teasers or read_also:
            html = render_to_string(
                "articles/includes/story_rail.html", {"teasers": teasers, "read_also": read_also}
            )
        return Rail(html, keys, until), keys, until

    if request is None:  # the desk's preview: always as it is now, never kept
        return make()[0]
    return fragments.cached(request, rail_name(article.pk), make)


def lead_photo(request, photo) -> tuple[str, RenditionURL | None]:
    """The story's lead picture and its Open Graph rendition: cached per photo, purged with it."""

    def make():
        prefetch_related_objects([photo], prefetch_renditions("renditions", "lead", "og"))
        html = picture(photo, "lead", LEAD_PHOTO_SIZES, loading="eager", priority=True)
        return (str(html), rendition_url(photo, "og")), {cache_keys.photo(photo.pk)}, []

    if photo is None:
        return "", None
    if request is None:
        return make()[0]
    return fragments.cached(request, f"photo:{photo.pk}:lead", make)


LEAD_PHOTO_SIZES = "(min-width: 46rem) 42rem, 100vw"


def story_page_context(article: Article, request=None) -> dict:
    """The template context of a story page, for the public page and the desk's preview alike.

    With the request (the public page), the rail and the lead photo come from the fragment
    cache when they are there. What only the head and the text show (the lead photo, the JSON-LD)
    is given as callables, which the template calls when it renders them: not at all when both
    come from the fragment cache."""
    parts = story_parts(request, article)
    authors, tags, corrections = parts.authors, parts.tags, parts.corrections
    rail = story_rail(request, article, [tag.pk for tag in tags])
    lead = functools.cache(lambda: lead_photo(request, article.main_photo))
    return {
        "article": article,
        "edition": article.region,
        "authors": authors,
        "tags": tags,
        "corrections": corrections,
        "rail": rail,
        # Rendered by our templates and tags, from the fragment cache as text.
        "rail_html": mark_safe(rail.html),  # noqa: S308 - the rail template's output
        "lead_picture": lambda: mark_safe(lead()[0]),  # noqa: S308 - the picture tag's own HTML
        "og_image": lambda: lead()[1],
        "structured_data": lambda: news_article(article, authors, lead()[1], corrections),
        # The public page keeps its head and its text, the same for every reader, as fragments.
        fragments.PAGE_FRAGMENTS_CONTEXT: None
        if request is None
        else fragments.PageFragments(
            request,
            story_prefix(article.pk),
            cache_keys.story_text(article, authors=authors, tags=tags),
            until=[article.unpublish_at],
        ),
    }


class StoryRow(NamedTuple):
    """What a story page shows of its story around its cached parts (the title, the edition),
    and what its caching and its address need: read as values when every part is cached."""

    pk: int
    slug: str
    headline: str
    seo_title: str
    region_id: int
    main_photo_id: int | None
    published_at: datetime.datetime
    unpublish_at: datetime.datetime | None
    region: RegionLink

    def get_absolute_url(self) -> str:
        return story_path(self.region.slug, self.pk, self.slug)


_STORY_ROW_FIELDS = [field for field in StoryRow._fields if field != "region"]


def story_row(pk: int) -> StoryRow:
    """The published story `pk` as its page needs it when its parts come from the cache."""
    # One row by its key: no order to compile.
    rows = (
        Article.objects.published()
        .filter(pk=pk)
        .order_by()
        .values_list(*_STORY_ROW_FIELDS, "region__name", "region__slug")[:1]
    )
    if not rows:
        raise Http404("Нет такой новости.")
    *values, region_name, region_slug = rows[0]
    return StoryRow(*values, region=RegionLink(region_name, region_slug))


def article_detail(request, region: str, pk: int, slug: str):
    # Also on the not-found page: publishing the story again purges it.
    cache_keys.depends_on(request, cache_keys.story(pk))
    # The story's fragments in one round trip, before its row: the query asks what only making
    # the rail needs when the rail is not there, and no more than a few values when nothing is
    # to be made.
    names = story_fragment_names(pk)
    found = fragments.prefetch(request, names)
    if len(found) == len(names):
        article = story_row(pk)
    else:
        stories = story_page_queryset().published()
        if rail_name(pk) not in found:
            stories = stories.annotate(**cache_keys.story_page_annotations())
        article = get_object_or_404(stories, pk=pk)
    if region != article.region.slug or slug != article.slug:
        cache_keys.depends_on(
            request, cache_keys.region(article.region_id), until=article.unpublish_at
        )
        return redirect(article, permanent=True)
    context = story_page_context(article, request)
    cache_keys.story_page(request, article, authors=context["authors"], tags=context["tags"])
    cache_keys.depends_on(request, *context["rail"].keys, until=context["rail"].until)
    return render(request, "articles/article_detail.html", context)


def not_found(request, exception):
    """The site's not-found page, which a publication or a new address may turn into a page.

    Kept by caches until the next scheduled story comes out, or a purge of `not-found`.
    """
    cache_keys.depends_on(
        request,
        cache_keys.NOT_FOUND,
        until=lambda: cache_keys.next_publication_time(Article.objects.all()),
    )
    return page_not_found(request, exception)


def article_preview(request, token: str):
    """An unpublished story as it will look, for whoever holds its signed preview link.

    Every answer is private and unindexed, the not-found page too: the address carries the
    token, and no shared cache should keep a story the desk has not released, nor a search
    engine list it. A story readers can see now sends the holder to its public page.
    """
    article = article_for_preview(token, story_page_queryset())
    if article is None:
        # The site's own not-found page (the default handler), answered here to carry the headers.
        response = page_not_found(request, Http404("Ссылка на предпросмотр недействительна."))
    elif article.is_public:
        response = redirect(article)
    else:
        response = render(request, "articles/article_preview.html", story_page_context(article))
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The address is the authority to view: never sent on to the sites the story links to, even
    # if the site-wide policy (SECURE_REFERRER_POLICY) is relaxed one day.
    response["Referrer-Policy"] = "same-origin"
    return response
