"""Fragments of public pages that are the same for every request, cached apart from the pages.

A page-cache miss is most often a page purged for one change: a story published purges the home
page, whose other cards did not change; a story of a region given a new tag purges the pages
whose "read also" it may join, not their own text. The fragments cached here are what such a
page re-renders for nothing: each story card of a listing (its HTML, per layout), a listing's
page of card rows (values, with the keys and times its making named: `recorded`) and its list of
cards (the cards in place, their ages as slots filled per request: `TimedHTML`), the teaser and
"read also" rail of a story page, a story's byline, tags and corrections (as values), and its
lead photo's picture and Open Graph rendition (articles/views.py names and makes the last three).

How they stay right: a fragment is stored under the surrogate keys of what it shows
(dependencies.py), in the page cache's own index (pagecache.py). The purge that drops the pages
showing a story, photo, region or listing drops its fragments in the same step; nothing else has
to know they exist. A fragment lives as long as a cached page may (PUBLIC_CACHE_SECONDS), less
when what it shows changes by itself sooner (a teaser's target reaching its unpublish time).
Like a page, a fragment made from what a purge has since replaced is not kept: the request's
purge epoch (taken by PublicCacheMiddleware before the view reads anything) is checked after
storing. Requests without one (previews, the desk) read fragments and store none.

Keyed by a version stamp of the objects instead (the story's `updated_at` and the like), a
fragment would need no purge, but the stamps of everything it shows would have to be read on
every request: a card's region and photo, a rail's teaser targets and the region's newest
stories under the tags. Those reads are the queries a fragment is there to save. The surrogate
keys are already worked out for every write, so they invalidate fragments too.

`FRAGMENT_CACHE_ENABLED=0` renders every fragment afresh (the cold figures of `make bench`).
"""

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe

from . import dependencies as keys
from . import pagecache

PREFIX = "fragment:"
# Set on the request by PublicCacheMiddleware: the purge epoch the request began in.
EPOCH_ATTRIBUTE = "page_cache_epoch"
# Where the page's cards go, and where each card's time goes (control characters no stored text
# can contain: the text fields drop them on every write).
_CARD_SLOT = re.compile("\x00card(\\d+)\x00")
TIME_SLOT = "\x00time\x00"
# A search result's card is cached like any other; its headline and snippet, marked for the
# query, are written into these slots per request.
HEADLINE_SLOT = "\x00headline\x00"
SNIPPET_SLOT = "\x00snippet\x00"


def enabled() -> bool:
    return settings.FRAGMENT_CACHE_ENABLED


def lifetime(until: Iterable = ()) -> int:
    """Seconds a fragment may be kept: a cached page's lifetime, cut by the first change to come."""
    seconds = settings.PUBLIC_CACHE_SECONDS
    now = time.time()
    for when in until:
        if callable(when):  # a time looked up only if the fragment is kept (dependencies.Until)
            when = when()
        if when is not None:
            seconds = min(seconds, int(when.timestamp() - now))
    return max(seconds, 0)


def get_many(names: Iterable[str]) -> dict:
    """The cached fragments among `names`, in one cache round trip; none when switched off."""
    names = list(names)
    if not names or not enabled():
        return {}
    found = cache.get_many([PREFIX + name for name in names])
    return {name.removeprefix(PREFIX): value for name, value in found.items()}


def storing(request) -> bool:
    """Whether fragments made for this request are kept: a public request, fragments on."""
    return getattr(request, EPOCH_ATTRIBUTE, None) is not None and enabled()


def store(request, items: list[tuple[str, object, set[str], int]]) -> None:
    """Keep fragments (name, value, surrogate keys, seconds) unless a purge of one of their keys
    came since the request began; the whole lot is dropped then, as a page would be."""
    items = [item for item in items if item[3] > 0]
    if not items or not storing(request):
        return
    started = getattr(request, EPOCH_ATTRIBUTE)
    index = pagecache.entry_index()
    for name, value, surrogate_keys, seconds in items:
        index.add(PREFIX + name, value, surrogate_keys | {keys.ALL}, seconds)
    if index.purged_since(started, set().union(*(item[2] for item in items))):
        cache.delete_many([PREFIX + item[0] for item in items])


# Story cards ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardLayout:
    """How a card stands in its list: everything of its HTML that is not the story's."""

    style: str  # "lead", "tile", "compact", "stream"
    level: int  # the heading level of its title
    breaking: bool  # the "Срочно" kicker
    network: bool  # the region named beside the time
    search: bool  # headline and snippet of a search, in slots filled per request

    def name(self, story) -> str:
        flags = f"{self.breaking:d}:{self.network:d}:{self.search:d}"
        return f"card:{story.pk}:{self.style}:{self.level}:{flags}"


CARD_ROW_FIELDS = (
    "pk",
    "region_id",
    "main_photo_id",
    "published_at",
    "unpublish_at",
    "region__time_zone",
)


@dataclass
class CardRow:
    """A story as a page whose cards come from the cache needs it: the card's name, its time,
    its surrogate keys. Read with `values_list(*CARD_ROW_FIELDS, ...)`, no model object made;
    a card not in the cache is made from the story itself, fetched then (`Cards`)."""

    pk: int
    region_id: int
    main_photo_id: int | None
    published_at: object
    unpublish_at: object
    time_zone: str


@dataclass
class Cards:
    """The cards of one page: the template leaves a slot for each, filled after it rendered, so
    every card of the page is read from the cache at once, and the misses are made together
    (their renditions in one query). Parts of the page kept as fragments with their cards in
    place (`keep`) are stored then, once their cards are known."""

    request: object
    wanted: list[tuple[object, CardLayout]] = field(default_factory=list)
    parts: list["_PartToKeep"] = field(default_factory=list)

    def slot(self, story, layout: CardLayout) -> SafeString:
        self.wanted.append((story, layout))
        return mark_safe(f"\x00card{len(self.wanted) - 1}\x00")  # noqa: S308 - no markup

    def keep(self, name: str, make: Callable[[], str], surrogate_keys: set[str], until: list):
        """Render a part of the page (`make()`) whose cards are to be kept in it: stored under
        `name` when the page's cards are filled, with their times left as slots."""
        start = len(self.wanted)
        html = make()
        self.parts.append(_PartToKeep(name, html, start, len(self.wanted), surrogate_keys, until))
        return html

    def fill(self, html: str) -> str:
        """The page with every card in its slot, each with its time; the parts to keep, kept."""
        if not self.wanted:
            self._store_parts([])
            return html
        cards = self._cards(self.wanted)
        self._store_parts(cards)
        parts = [
            card.replace(TIME_SLOT, _listed_time(story))
            for card, (story, _) in zip(cards, self.wanted, strict=True)
        ]
        return _CARD_SLOT.sub(lambda match: parts[int(match.group(1))], html)

    def _store_parts(self, cards: list[str]) -> None:
        if not self.parts or not storing(self.request):
            return
        kept = []
        for part in self.parts:
            shown = range(part.start, part.end)
            timed = {i: cards[i].replace(TIME_SLOT, f"\x00time{i - part.start}\x00") for i in shown}
            value = TimedHTML(
                _CARD_SLOT.sub(lambda match, timed=timed: timed[int(match.group(1))], part.html),
                [time_of(self.wanted[i][0]) for i in shown],
            )
            kept.append((part.name, value, part.keys, lifetime(part.until)))
        if kept:
            store(self.request, kept)

    def _cards(self, wanted) -> list[str]:
        """The HTML of each wanted card, its time still a slot: read from the cache in one
        round trip, the missing ones made together."""
        names = [layout.name(story) for story, layout in wanted]
        cached = get_many(names)
        missing = [
            (name, story, layout)
            for name, (story, layout) in zip(names, wanted, strict=True)
            if name not in cached
        ]
        if missing:
            cached |= self._render(missing)
        cards = []
        for name, (story, layout) in zip(names, wanted, strict=True):
            card = cached[name]
            if layout.search:
                card = card.replace(HEADLINE_SLOT, story.search_headline).replace(
                    SNIPPET_SLOT, story.search_snippet
                )
            cards.append(card)
        return cards

    def _render(self, missing) -> dict[str, str]:
        from django.db.models import prefetch_related_objects

        from ..renditions import prefetch_renditions

        missing, made = _with_stories(missing)
        photographed = [story for _, story, _ in missing if story.main_photo_id]
        prefetch_related_objects(
            photographed, prefetch_renditions("main_photo__renditions", "card")
        )
        template = get_template("articles/includes/story_card.html")
        kept = []
        for name, story, layout in missing:
            if name in made:
                continue
            made[name] = html = template.render(
                {
                    "article": story,
                    "card_style": layout.style,
                    "card_level": layout.level,
                    "card_breaking": layout.breaking,
                    "network_list": layout.network,
                    "search_results": layout.search,
                    # Slots, not markup: what each request writes there is escaped by then.
                    "card_time": mark_safe(TIME_SLOT),  # noqa: S308
                    "card_headline": mark_safe(HEADLINE_SLOT),  # noqa: S308
                    "card_snippet": mark_safe(SNIPPET_SLOT),  # noqa: S308
                }
            )
            kept.append((name, html, set(keys.card_keys([story])), lifetime()))
        store(self.request, kept)
        return made


def _with_stories(missing) -> tuple[list, dict[str, str]]:
    """The cards to make, each with its story as a model: card rows' stories fetched in one
    query. A story deleted since the page's query gets no card (an empty one, not kept)."""
    from ..models import Article

    rows = {story.pk for _, story, _ in missing if isinstance(story, CardRow)}
    if not rows:
        return missing, {}
    stories = Article.objects.as_cards().in_bulk(rows)
    made, found = {}, []
    for name, story, layout in missing:
        if story.pk in rows:
            story = stories.get(story.pk)
        if story is None:
            made[name] = ""
        else:
            found.append((name, story, layout))
    return found, made


def time_of(story) -> tuple[object, str]:
    """When a card's story came out, and on which clock (a card row carries its zone)."""
    zone = getattr(story, "time_zone", None) or story.region.time_zone
    return story.published_at, zone


def _listed_time(story) -> str:
    from ..templatetags.newsroom import story_time

    return story_time(*time_of(story))


@dataclass(frozen=True)
class _PartToKeep:
    """A part of a page rendered with card slots, to be kept once the page's cards are filled."""

    name: str
    html: str
    start: int  # its cards: the page's wanted cards from `start` to `end`
    end: int
    keys: set[str]
    until: list


_INDEXED_TIME_SLOT = re.compile("\x00time(\\d+)\x00")


@dataclass(frozen=True)
class TimedHTML:
    """A part of a page with its cards in place but their times, which change as the page is
    read ("15 минут назад"): slots, filled from each card's (published_at, time zone)."""

    html: str
    times: list[tuple[object, str]]

    def render(self) -> str:
        if not self.times:
            return self.html
        from ..templatetags.newsroom import story_time

        shown = [story_time(moment, zone) for moment, zone in self.times]
        return _INDEXED_TIME_SLOT.sub(lambda match: shown[int(match.group(1))], self.html)


CARDS_CONTEXT = "card_slots"


def render(request, template: str, context: dict, **kwargs) -> HttpResponse:
    """`django.shortcuts.render` for public pages whose templates show story cards."""
    cards = Cards(request)
    html = render_to_string(template, context | {CARDS_CONTEXT: cards}, request)
    return HttpResponse(cards.fill(html), **kwargs)


# Parts of a page -------------------------------------------------------------------------------

PAGE_FRAGMENTS_CONTEXT = "page_fragments"


@dataclass(frozen=True)
class PageFragments:
    """What the `{% fragment %}` parts of one page are kept under: a name for the page's own
    parts (`story:123`), the surrogate keys of what they show, and when they stop being right.

    Without keys, a part is kept under the keys and until the time the page itself has named
    by the time the part is made (a listing's list: its stories, its cards, its next release).
    A part holding story cards keeps them in place, their times filled as it is read."""

    request: object
    prefix: str
    keys: set[str] | None = None
    until: list = field(default_factory=list)

    def names(self, *parts: str) -> list[str]:
        return [f"{self.prefix}:{part}" for part in parts]

    def render(self, name: str, make: Callable[[], str], cards: Cards | None = None) -> SafeString:
        name = f"{self.prefix}:{name}"
        if cards is None:
            made = cached(self.request, name, lambda: (make(), *self._dependencies()))
        else:
            made = found(self.request, name)
            if made is MISSING:
                made = cards.keep(name, make, *self._dependencies())
            elif isinstance(made, TimedHTML):
                made = made.render()
        return mark_safe(made)  # noqa: S308 - the template's own output

    def _dependencies(self) -> tuple[set[str], list]:
        if self.keys is not None:
            return self.keys, self.until
        page = keys.of(self.request)
        return set(page.keys), list(page.until)


# Values computed once --------------------------------------------------------------------------


# Set on the request by `prefetch`: the fragments asked for ahead, and those of them found.
PREFETCHED_ATTRIBUTE = "fragments_prefetched"


def prefetch(request, names: list[str]) -> dict:
    """Read the fragments a page will ask `cached()` for in one cache round trip, ahead."""
    found = get_many(names)
    setattr(request, PREFETCHED_ATTRIBUTE, (set(names), found))
    return found


def recorded(request, name: str, make: Callable[[], object]):
    """A fragment whose making names what it shows with `depends_on` (a listing's page of card
    rows): kept under those keys until the earliest time they give, and on every read named
    again for the response showing it, as if it had been made for this one."""

    def make_recorded():
        with keys.recording(request) as dependencies:
            value = make()
        # A time still to be looked up (an empty listing's) is looked up only to keep it.
        until = [dependencies.expires_at()] if storing(request) else dependencies.until
        return (value, dependencies.keys, until), dependencies.keys, until

    value, surrogate_keys, until = cached(request, name, make_recorded)
    keys.depends_on(request, *surrogate_keys, until=until)
    return value


MISSING = object()


def found(request, name: str):
    """One fragment by name from the cache (or as `prefetch` found it), or MISSING."""
    asked, values = getattr(request, PREFETCHED_ATTRIBUTE, None) or ((), {})
    if name not in asked:
        values = get_many([name])
    return values.get(name, MISSING)


def cached(request, name: str, make: Callable[[], tuple[object, set[str], list]]):
    """One fragment by name: from the cache, or made by `make()` (value, keys, until) and kept."""
    value = found(request, name)
    if value is not MISSING:
        return value
    value, surrogate_keys, until = make()
    if storing(request):
        store(request, [(name, value, surrogate_keys, lifetime(until))])
    return value
