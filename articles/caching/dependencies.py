"""What a public response depends on: surrogate keys, and when its content changes by itself.

Views, feeds and sitemaps name what they show with `depends_on(request, ...)`, from the objects
they fetched anyway (no query of their own); newsroom/middleware.py turns that into the
`Surrogate-Key` header, by which the app's page cache and the edge index the response, and caps
its shared lifetime at the earliest `until`: the next scheduled publication or unpublication the
page would show. A scheduled story reaching its time therefore needs no purge job.

Keys, space-separated in the header as Varnish's xkey and CDNs read them:

    story-<id>        anything shown of one story: its page, its card in a listing, a teaser or
                      "read also" link to it, its feed item
    photo-<id>, author-<id>, tag-<id>, region-<id>
                      the photo, author, tag or region as shown anywhere
    nav               the region navigation in the header of every HTML page
    stories           the site-wide listing (home page, site feeds, search): which stories, in
                      what order
    stories-region-<id>, stories-tag-<id>, stories-author-<id>
                      a region's, tag's or author's listing: all its pages, day archives, feeds
    stories-region-<r>-tag-<t>
                      the region's stories under a tag, which "read also" picks from
    every-story       pages that show something of every public story (sitemaps, search)
    not-found         every 404: a publication or a new slug may turn one into a page
    all               every public response (`manage.py purge_pages --all`)
"""

import contextlib
import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Subquery
from django.utils import timezone

ALL = "all"
NAV = "nav"
STORIES = "stories"
EVERY_STORY = "every-story"
NOT_FOUND = "not-found"

# The request attribute the middleware reads.
ATTRIBUTE = "cache_dependencies"

# A time, or a function giving one, called only if the response is to be shared: a fallback
# query (an empty listing's next publication) is then never run for the desk or a staff user.
Until = datetime.datetime | Callable[[], datetime.datetime | None] | None


def story(pk: int) -> str:
    return f"story-{pk}"


def photo(pk: int) -> str:
    return f"photo-{pk}"


def author(pk: int) -> str:
    return f"author-{pk}"


def tag(pk: int) -> str:
    return f"tag-{pk}"


def region(pk: int) -> str:
    return f"region-{pk}"


def region_stories(pk: int) -> str:
    return f"stories-region-{pk}"


def tag_stories(pk: int) -> str:
    return f"stories-tag-{pk}"


def author_stories(pk: int) -> str:
    return f"stories-author-{pk}"


def region_tag_stories(region_pk: int, tag_pk: int) -> str:
    return f"stories-region-{region_pk}-tag-{tag_pk}"


@dataclass
class Dependencies:
    keys: set[str] = field(default_factory=lambda: {ALL})
    until: list[Until] = field(default_factory=list)

    def expires_at(self) -> datetime.datetime | None:
        """The earliest time the response stops being right by itself, or None."""
        times = (when() if callable(when) else when for when in self.until)
        return min((when for when in times if when is not None), default=None)


def depends_on(request, *keys: str, until: Until | Iterable[Until] = None) -> None:
    """Record that the response to `request` shows what `keys` name, and is right until `until`."""
    dependencies = request.__dict__.get(ATTRIBUTE)
    if dependencies is None:
        dependencies = Dependencies()
        setattr(request, ATTRIBUTE, dependencies)
    dependencies.keys.update(keys)
    if isinstance(until, list | tuple):
        dependencies.until.extend(until)
    elif until is not None:
        dependencies.until.append(until)


def of(request) -> Dependencies:
    return request.__dict__.get(ATTRIBUTE) or Dependencies()


@contextlib.contextmanager
def recording(request):
    """What the code inside names with `depends_on`, recorded apart from the response's own
    dependencies (and not added to them): what a fragment made there depends on."""
    outer = request.__dict__.pop(ATTRIBUTE, None)
    recorded = Dependencies(keys=set())
    setattr(request, ATTRIBUTE, recorded)
    try:
        yield recorded
    finally:
        if outer is None:
            request.__dict__.pop(ATTRIBUTE, None)
        else:
            setattr(request, ATTRIBUTE, outer)


# When content changes by itself ----------------------------------------------------------------


def next_publication(scope) -> Subquery:
    """When the next scheduled story of `scope` (an Article queryset) comes out, as an annotation.

    One index lookup, evaluated once per query however many rows carry it: a listing annotates
    its page's own query with it, so knowing costs no query of its own.
    """
    upcoming = scope.scheduled().order_by("published_at").values("published_at")[:1]
    return Subquery(upcoming)


def next_unpublication(scope) -> Subquery:
    """When an unpublish time next takes a story of `scope` off the site, as an annotation."""
    leaving = scope.leaving().order_by("unpublish_at").values("unpublish_at")[:1]
    return Subquery(leaving)


def next_publication_time(scope) -> datetime.datetime | None:
    """The same as a query of its own, for a page whose own query found no rows to carry it."""
    return scope.scheduled().order_by("published_at").values_list("published_at", flat=True).first()


def next_release_time(scope) -> datetime.datetime | None:
    """The next publication or unpublication in `scope`, in one query."""
    from ..models import Article  # the models import nothing of caching; keep it that way

    row = (
        Article.objects.annotate(
            next_publication=next_publication(scope), next_unpublication=next_unpublication(scope)
        )
        .values_list("next_publication", "next_unpublication")
        .order_by()
        .first()
    )
    return min((when for when in row or () if when is not None), default=None)


def unpublish_times(stories) -> list[datetime.datetime | None]:
    """When each shown story's unpublish time takes it off the page, if it has one to come."""
    now = timezone.now()
    return [s.unpublish_at for s in stories if s.unpublish_at and s.unpublish_at > now]


# What pages show ---------------------------------------------------------------------------------


def card_keys(stories) -> list[str]:
    """A story card: the story, its region (the dateline) and its photo."""
    keys = []
    for item in stories:
        keys += (story(item.pk), region(item.region_id))
        if item.main_photo_id:
            keys.append(photo(item.main_photo_id))
    return keys


def listing(request, stories: list, *listing_keys: str, scope, release=None) -> None:
    """A page of a listing: its cards, the listing itself, and its next change by time.

    `stories` carry the `next_publication` and `next_unpublication` annotations of `scope`
    (every story the listing may ever show): a story coming out or going anywhere in it shifts
    every page. An empty page asks the database instead, and only if the page is to be shared.
    `release`: that time, known already (a callable giving it; search's, for the whole site).
    """
    if release is not None:
        until = [release]
    elif stories:
        until = [stories[0].next_publication, stories[0].next_unpublication]
    else:
        until = [lambda: next_release_time(scope)]
    depends_on(request, *listing_keys, *card_keys(stories), until=until)


def story_text(article, *, authors, tags) -> set[str]:
    """What a story's own text shows, on its page and in its head: the story, its region (the
    dateline), its photo, authors and tags."""
    keys = {story(article.pk), region(article.region_id)}
    if article.main_photo_id:
        keys.add(photo(article.main_photo_id))
    keys.update(author(person.pk) for person in authors)
    keys.update(tag(label.pk) for label in tags)
    return keys


def story_page(request, article, *, authors, tags) -> None:
    """A story page: its text (`story_text`), and "read also" under each of its tags (the rest
    of its rail: `story_rail`)."""
    keys = story_text(article, authors=authors, tags=tags)
    keys.update(region_tag_stories(article.region_id, label.pk) for label in tags)
    depends_on(request, *keys, until=[article.unpublish_at])


def story_rail(article, tag_ids, *, teasers, read_also) -> tuple[set[str], list]:
    """The keys and the times to come of a story's rail: its teasers, and "read also" (the
    region's newest stories under its tags); what a cached rail and the page showing it carry."""
    keys = {story(article.pk), region(article.region_id)}
    keys.update(region_tag_stories(article.region_id, pk) for pk in tag_ids)
    targets = [teaser.target_article for teaser in teasers if teaser.target_article_id]
    for other in (*targets, *read_also):
        keys |= {story(other.pk), region(other.region_id)}
    return keys, unpublish_times([*targets, *read_also])


def story_page_annotations() -> dict:
    """What a story's rail needs to know of the future: the next story that could join its "read
    also" (same region, a shared tag) and the next scheduled story a teaser of it links to.

    Annotated on the story page's own query when the rail is to be made (not in the fragment
    cache); the cached rail carries the times it found."""
    from django.db.models import OuterRef

    from ..models import Article, ArticleStatus, RelatedLink, TaggedArticle

    this_story_tags = TaggedArticle.objects.filter(content_object=OuterRef(OuterRef("pk"))).values(
        "tag"
    )
    read_also = Article.objects.filter(
        region=OuterRef("region"), tagged_items__tag__in=this_story_tags
    )
    targets = RelatedLink.objects.filter(
        article=OuterRef("pk"),
        target_article__status=ArticleStatus.PUBLISHED,
        target_article__published_at__gt=timezone.now(),
    ).order_by("target_article__published_at")
    return {
        "next_read_also": next_publication(read_also),
        "next_teaser_target": Subquery(targets.values("target_article__published_at")[:1]),
    }


def feed_item(request, item) -> None:
    """A feed item: the story, its region, photo (the enclosure), authors and tags."""
    keys = [story(item.pk), region(item.region_id)]
    if item.main_photo_id:
        keys.append(photo(item.main_photo_id))
    keys += (author(byline.author_id) for byline in item.bylines.all())
    keys += (tag(label.pk) for label in item.tags.all())
    depends_on(request, *keys)
