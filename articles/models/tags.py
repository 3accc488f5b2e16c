"""Tags on django-taggit, with Latin slugs and a real foreign key to the story."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.models import ItemBase, NaturalKeyManager, TagBase

from ..fields import CleanCharField
from ..paths import tag_path
from ..slugs import slugify_ru
from .visibility import published_q

# "-999": room for the number taggit adds to a slug another tag already has.
TAKEN_SLUG_SUFFIX_ROOM = 4


class TagQuerySet(models.QuerySet):
    def with_published_stories(self) -> "TagQuerySet":
        """Tags a reader can find a story under: a tag given only to drafts stays private."""
        return self.filter(
            models.Exists(
                TaggedArticle.objects.filter(
                    published_q("content_object__"), tag=models.OuterRef("pk")
                )
            )
        )


class Tag(TagBase):
    """A taggit tag whose slug is Latin, made by the site's one transliteration scheme."""

    name = CleanCharField(_("название"), unique=True, max_length=100)
    slug = models.SlugField(_("адрес"), unique=True, max_length=100)

    # Built from taggit's manager, so natural keys (fixtures, dumpdata) keep working.
    objects = NaturalKeyManager.from_queryset(TagQuerySet)()

    class Meta:
        ordering = ["name"]
        verbose_name = _("тег")
        verbose_name_plural = _("теги")

    def get_absolute_url(self) -> str:
        return tag_path(self.slug)

    def slugify(self, tag, i=None):
        # taggit appends "-<i>" to a taken slug and finds the taken ones by the bare slug as a
        # prefix, so the bare slug keeps room for the suffix: every variant then fits the column
        # (PostgreSQL refuses a longer value outright) and shares the prefix taggit looks for.
        max_length = self._meta.get_field("slug").max_length - TAKEN_SLUG_SUFFIX_ROOM
        slug = slugify_ru(tag, max_length=max_length) or "tag"
        return f"{slug}-{i}" if i is not None else slug


class TaggedArticle(ItemBase):
    """The tag-to-story link, with real foreign keys so joins and cascades are the database's."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")
    content_object = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = _("тег материала")
        verbose_name_plural = _("теги материалов")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_article_unique")
        ]
