"""Purges: which keys a write changes, sent once its transaction commits.

The model signals (articles/signals.py) report each change here. For a story, the first report
in a transaction notes where it stood (its footprint: state, time, region, tags, authors); at
commit its footprint is read again, and the difference says which listings it entered, left or
moved in. A plain edit of a published story purges its own key alone, which every page showing
it carries; a draft's edits purge nothing. Everything one transaction changed is purged at once.

Where the purge goes:
- a shared page cache (Redis) and the edge (`EDGE_PURGE_URLS`) are purged by the task
  `purge_pages` on the `purges` queue, run by `manage.py db_worker --queue-name purges`: the
  app's cache first, so the edge never refetches a page the app still holds stale;
- a page cache in local memory belongs to the process that holds it, so the process that
  committed purges its own at once (the development server is one process; several app servers
  share Redis).
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import dependencies as keys
from . import edge, pagecache

logger = logging.getLogger(__name__)

QUEUE = "purges"
_ATTRIBUTE = "_newsroom_purge_batch"


class EdgePurgeError(Exception):
    """An edge refused a purge for good; raised so the task shows as failed in the queue."""


@dataclass(frozen=True)
class Footprint:
    """Where a story stands in the public listings."""

    status: str
    published_at: datetime.datetime | None
    unpublish_at: datetime.datetime | None
    region_id: int
    region_active: bool
    is_breaking: bool
    tags: frozenset[int]
    authors: frozenset[int]

    @property
    def listed(self) -> bool:
        # Published, scheduled or past its unpublish time: listings show it, will, or have
        # just stopped, and their cached pages are capped by its times.
        from ..models import ArticleStatus

        return self.status == ArticleStatus.PUBLISHED

    @property
    def placement(self) -> tuple:
        return (
            self.status,
            self.published_at,
            self.unpublish_at,
            self.region_id,
            self.region_active,
        )

    def listings(self) -> set[str]:
        """Every listing the story appears in, or will at its time, and the 404s it may end."""
        found = {keys.STORIES, keys.region_stories(self.region_id), keys.NOT_FOUND}
        for tag in self.tags:
            found |= {keys.tag_stories(tag), keys.region_tag_stories(self.region_id, tag)}
        found.update(keys.author_stories(author) for author in self.authors)
        return found


def footprints(pks) -> dict[int, Footprint]:
    """The stories' footprints as the database has them now: three queries however many."""
    from ..models import Article, ArticleAuthor, TaggedArticle

    pks = list(pks)
    rows = Article.objects.filter(pk__in=pks).values_list(
        "pk",
        "status",
        "published_at",
        "unpublish_at",
        "region_id",
        "region__is_active",
        "is_breaking",
    )
    tags, authors = {}, {}
    for story, tag in TaggedArticle.objects.filter(content_object__in=pks).values_list(
        "content_object", "tag"
    ):
        tags.setdefault(story, set()).add(tag)
    for story, author in ArticleAuthor.objects.filter(article__in=pks).values_list(
        "article", "author"
    ):
        authors.setdefault(story, set()).add(author)
    return {
        pk: Footprint(*fields, frozenset(tags.get(pk, ())), frozenset(authors.get(pk, ())))
        for pk, *fields in rows
    }


def story_change(pk: int, before: Footprint | None, after: Footprint | None) -> set[str]:
    """The keys a change of story `pk` from `before` to `after` (None: not there) affects."""
    listed = [footprint for footprint in (before, after) if footprint and footprint.listed]
    if not listed:
        return set()  # a draft, in review, taken down: no public page shows it
    changed = {keys.story(pk), keys.EVERY_STORY}
    if before is None or after is None or before.placement != after.placement:
        # In, out, or moved: every listing it was or is in, old region and new.
        for footprint in listed:
            changed |= footprint.listings()
        return changed
    if before.is_breaking != after.is_breaking:
        changed.add(keys.STORIES)  # the home page's breaking block
    for tag in before.tags ^ after.tags:
        changed |= {
            keys.tag_stories(tag),
            keys.region_tag_stories(after.region_id, tag),
            keys.NOT_FOUND,  # a tag's first story gives it a page
        }
    for author in before.authors ^ after.authors:
        changed |= {keys.author_stories(author), keys.NOT_FOUND}
    return changed


class _Batch:
    """What one transaction changed; called once, at commit."""

    def __init__(self, level: tuple):
        self.level = level
        self.stories: dict[int, Footprint | None] = {}
        self.keys: set[str] = set()
        # Made by a "before" report; registered to run at commit by the "after" report.
        self.pending = True
        self.done = False

    def __call__(self):
        self.done = True
        connection = transaction.get_connection()
        if getattr(connection, _ATTRIBUTE, None) is self:
            delattr(connection, _ATTRIBUTE)
        changed = set(self.keys)
        if self.stories:
            now = footprints(self.stories)
            for pk, before in self.stories.items():
                changed |= story_change(pk, before, now.get(pk))
        if changed:
            purge(changed)


def _batch() -> _Batch:
    """The batch of this transaction (or savepoint), or a new one.

    A batch is reused in the block that made it and in blocks nested in it, while its callback is
    still registered: a rolled-back block drops the callback, and its batch goes with it instead
    of swallowing the next one's keys. (What a rolled-back savepoint added to an outer batch is
    purged anyway: a purge too many costs a page render, one too few a stale page.)
    """
    connection = transaction.get_connection()
    level = tuple(connection.savepoint_ids)
    batch = getattr(connection, _ATTRIBUTE, None)
    if (
        batch is None
        or batch.done
        or level[: len(batch.level)] != batch.level
        or not (batch.pending or _registered(connection, batch))
    ):
        batch = _Batch(level)
        setattr(connection, _ATTRIBUTE, batch)
    return batch


def _registered(connection, batch) -> bool:
    return any(callback is batch for _, callback, _ in connection.run_on_commit)


def story_changing(pk: int | None) -> None:
    """A story is about to change: note its footprint, the first time in this transaction."""
    if pk is None:
        return
    batch = _batch()
    if pk not in batch.stories:
        batch.stories[pk] = footprints([pk]).get(pk)


def note(*purged: str) -> None:
    """Keys a change about to be made will affect, purged with the rest of the transaction."""
    _batch().keys.update(purged)


def story_created(pk: int) -> None:
    _batch().stories.setdefault(pk, None)
    changed()


def changed(*purged: str) -> None:
    """Something changed: purge these keys (and the noted stories' changes) after commit.

    Outside a transaction the purge runs at once, the write being already saved.
    """
    batch = _batch()
    batch.keys.update(purged)
    if batch.pending:
        batch.pending = False
        transaction.on_commit(batch, robust=True)


def after_commit(*purged: str) -> None:
    """Purge these keys after commit, behind whatever the transaction already queued to run then.

    For photos: their renditions are made after commit too, and pages must be purged once the new
    renditions exist, not before.
    """
    transaction.on_commit(lambda: purge(purged), robust=True)


def purge(purged) -> None:
    """Purge the keys now: this process's local page cache, and the queue for the rest."""
    purged = sorted(set(purged))
    if not pagecache.shared():
        pagecache.purge(purged)
    if pagecache.shared() or settings.EDGE_PURGE_URLS:
        purge_pages.enqueue(keys=purged)
        if settings.DATABASE_REPLICAS:
            # A page asked for right after the purge may be made from a replica that has not yet
            # replayed the write, and kept: purged once more when the replicas have caught up
            # (newsroom/dbrouters.py), it is made anew from what they hold then.
            caught_up = timezone.now() + datetime.timedelta(
                seconds=settings.DATABASE_PRIMARY_AFTER_WRITE_SECONDS
            )
            purge_pages.using(run_after=caught_up).enqueue(keys=purged)


@task(queue_name=QUEUE)
def purge_pages(keys: list[str], edges: list[str] | None = None, attempt: int = 1) -> dict:
    """Drop the keys' pages from the page cache, then from each edge; retry an edge that failed.

    `edges` narrows a retry to the edges that failed; `attempt` counts tries.
    """
    dropped = pagecache.purge(keys) if attempt == 1 else 0
    outcomes = {
        url: edge.purge(url, keys)
        for url in settings.EDGE_PURGE_URLS
        if edges is None or url in edges
    }
    failed = {url: outcome for url, outcome in outcomes.items() if outcome != 200}
    if failed and attempt < settings.EDGE_PURGE_MAX_ATTEMPTS:
        delay = settings.EDGE_PURGE_RETRY_DELAY * 2 ** (attempt - 1)
        logger.warning("Edge purge of %s: %s; try %s in %s s", keys, failed, attempt + 1, delay)
        purge_pages.using(run_after=timezone.now() + datetime.timedelta(seconds=delay)).enqueue(
            keys=keys, edges=list(failed), attempt=attempt + 1
        )
    elif failed:
        raise EdgePurgeError(f"{keys} not purged on try {attempt}: {failed}")
    return {"page_cache": dropped, "edges": outcomes}
