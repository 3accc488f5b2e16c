"""Editorial writes that carry rules: each is atomic and says in one line what it guarantees."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Min

from .caching import dependencies as cache_keys
from .caching import purges
from .models import Tag, TaggedArticle


@transaction.atomic
def merge_tags(*, target: Tag, sources: Iterable[Tag]) -> int:
    """Move every story of the source tags onto the target, then delete the sources."""
    source_ids = [tag.pk for tag in sources if tag.pk != target.pk]
    already_on_target = TaggedArticle.objects.filter(tag=target).values("content_object")
    # One link per story survives, even when a story carried several of the merged tags.
    keep = list(
        TaggedArticle.objects.filter(tag_id__in=source_ids)
        .exclude(content_object__in=already_on_target)
        .values("content_object")
        .annotate(keep_id=Min("id"))
        .values_list("keep_id", flat=True)
    )
    TaggedArticle.objects.filter(pk__in=keep).update(tag=target)
    # The update sends no signal: the target's page and every story page showing it change (the
    # sources' go with their deletion below).
    purges.changed(cache_keys.tag(target.pk), cache_keys.tag_stories(target.pk))
    Tag.objects.filter(pk__in=source_ids).delete()
    return len(keep)
