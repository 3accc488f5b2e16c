"""Side effects that hang on signals here: cache purges, and the sessions of desk accounts.

Every write that changes what readers see reports it to articles/caching/purges.py, which works
out the surrogate keys affected and purges them after commit. Signals, not calls in each service,
because every writer must purge: the desk's forms and inlines, the workflow, corrections,
restored revisions, tag merges and the operator's shell alike. A bulk write that skips signals
(`QuerySet.update()`, `bulk_create()`) reports itself, as the tag merge does.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from newsroom.middleware import DeskIdleTimeoutMiddleware

from .accounts import end_sessions
from .caching import dependencies as keys
from .caching import purges
from .context_processors import NAV_CACHE_KEY
from .models import (
    Article,
    ArticleAuthor,
    Author,
    Correction,
    Photo,
    Region,
    RelatedLink,
    Tag,
    TaggedArticle,
)


@receiver([post_save, post_delete], sender=Region)
def forget_region_navigation(**kwargs) -> None:
    cache.delete(NAV_CACHE_KEY)


@receiver(post_save, sender=get_user_model())
def sign_out_everywhere_when_deactivated(instance, created, **kwargs) -> None:
    # Every save of an inactive account: deactivated now, or its sessions left from before.
    if not created and not instance.is_active:
        end_sessions(instance)


@receiver(user_logged_in)
def start_idle_clock(request, **kwargs) -> None:
    # The login saves the session anyway; the idle time counts from it.
    if request is not None and hasattr(request, "session"):
        DeskIdleTimeoutMiddleware.renew(request.session)


# Stories and what hangs on them: the footprint before, the purge after -------------------------


@receiver(pre_save, sender=Article)
@receiver(pre_delete, sender=Article)
def story_changing(sender, instance: Article, **kwargs) -> None:
    purges.story_changing(instance.pk)


@receiver(post_save, sender=Article)
def story_saved(sender, instance: Article, created: bool, **kwargs) -> None:
    if created:
        purges.story_created(instance.pk)
    else:
        purges.changed()


@receiver(post_delete, sender=Article)
def story_deleted(sender, instance: Article, **kwargs) -> None:
    purges.changed()


@receiver([pre_save, pre_delete], sender=ArticleAuthor)
@receiver([pre_save, pre_delete], sender=RelatedLink)
@receiver([pre_save, pre_delete], sender=Correction)
def part_of_story_changing(sender, instance, **kwargs) -> None:
    # A byline, teaser or correction is shown on its story's page; a byline also lists the story
    # on the author's page.
    purges.story_changing(instance.article_id)
    if sender is ArticleAuthor and instance.pk is not None:
        # A byline moved to another author leaves the old author's page too.
        old = ArticleAuthor.objects.filter(pk=instance.pk).values_list("author_id", flat=True)
        purges.note(*(keys.author_stories(author) for author in old))


@receiver([post_save, post_delete], sender=ArticleAuthor)
@receiver([post_save, post_delete], sender=RelatedLink)
@receiver([post_save, post_delete], sender=Correction)
def part_of_story_changed(sender, **kwargs) -> None:
    purges.changed()


@receiver(m2m_changed, sender=TaggedArticle)
def story_tags_changed(sender, instance, action: str, **kwargs) -> None:
    if action.startswith("pre_"):
        purges.story_changing(instance.pk)
    else:
        purges.changed()


# Photos, authors, tags, regions: what shows them -------------------------------------------------


@receiver([post_save, post_delete], sender=Photo)
def photo_changed(sender, instance: Photo, **kwargs) -> None:
    # Registered after the renditions' build (articles/renditions.py connects first), so pages
    # are rebuilt with the new renditions.
    purges.after_commit(keys.photo(instance.pk))


def _changed_fields(sender, instance, fields: tuple[str, ...]) -> set[str]:
    """Which of `fields` differ from the saved row (all of them for a new row)."""
    saved = None
    if instance.pk is not None:
        saved = sender.objects.filter(pk=instance.pk).values(*fields).first()
    if saved is None:
        return set(fields)
    return {name for name in fields if saved[name] != getattr(instance, name)}


@receiver(pre_save, sender=Author)
@receiver(pre_save, sender=Tag)
@receiver(pre_save, sender=Region)
def listing_owner_changing(sender, instance, **kwargs) -> None:
    # A new slug, or an author or region switched on or off, can make a page appear or vanish.
    fields = ("slug",) if sender is Tag else ("slug", "is_active")
    changed = _changed_fields(sender, instance, fields)
    instance._purge_addresses = bool(changed)
    instance._purge_everything = sender is Region and "is_active" in changed


# An author's or a tag's own key (its name on bylines and tag links) and its listing's.
_OWN_AND_LISTING_KEYS = {
    Author: (keys.author, keys.author_stories),
    Tag: (keys.tag, keys.tag_stories),
}


@receiver([post_save, post_delete], sender=Author)
@receiver([post_save, post_delete], sender=Tag)
def author_or_tag_changed(sender, instance, **kwargs) -> None:
    purged = [key(instance.pk) for key in _OWN_AND_LISTING_KEYS[sender]] + [keys.EVERY_STORY]
    if getattr(instance, "_purge_addresses", True):
        purged.append(keys.NOT_FOUND)
    purges.changed(*purged)


@receiver(post_save, sender=Region)
@receiver(post_delete, sender=Region)
def region_changed(sender, instance: Region, created: bool = False, **kwargs) -> None:
    if getattr(instance, "_purge_everything", False) and not created:
        # Switched on or off: its stories join or leave listings of every kind across the site.
        purges.changed(keys.ALL)
        return
    purged = [keys.region(instance.pk), keys.NAV, keys.EVERY_STORY]
    if getattr(instance, "_purge_addresses", True):
        purged.append(keys.NOT_FOUND)
    purges.changed(*purged)
