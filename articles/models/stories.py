"""Stories, their bylines and teasers, and the read vocabulary every public surface speaks."""

from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from ..dates import format_dateline
from ..fields import CleanCharField, CleanTextField, SanitizedHTMLField
from ..paths import story_path
from ..sanitizer import sanitize_html
from ..slugs import SLUG_MAX_LENGTH
from ..teasers import TEASER_URL_MAX_LENGTH, validate_teaser_url
from .authors import Author
from .base import SluggedModel, slug_not_empty, staff_member
from .photos import Photo
from .regions import Region
from .tags import TaggedArticle
from .visibility import ArticleStatus, published_q


def last_changed_expression():
    """When readers were last told of a change: the publication, or the newest correction.

    A plain re-save (a typo fixed, a tag added) is not news to readers, so it does not count.
    """
    return Greatest("published_at", Coalesce("corrected_at", "published_at"))


class ArticleQuerySet(models.QuerySet):
    def update(self, **kwargs) -> int:
        """`update()` skips `save()`: a body written this way is sanitized here instead."""
        if isinstance(kwargs.get("body"), str):
            kwargs["body"] = sanitize_html(kwargs["body"])
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None) -> int:
        """`bulk_update()` skips `save()` too: the bodies it writes are sanitized first."""
        if "body" in fields:
            objs = list(objs)
            for obj in objs:
                obj.body = sanitize_html(obj.body)
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def published(self) -> "ArticleQuerySet":
        """Stories a reader may see: published, due, not yet taken down, in an active region."""
        return self.filter(published_q())

    def newest_first(self) -> "ArticleQuerySet":
        """Listing order: the newest publication first, the higher id breaking ties."""
        return self.order_by("-published_at", "-id")

    def in_region(self, region: Region | int) -> "ArticleQuerySet":
        """Stories of one region."""
        return self.filter(region=region)

    def tagged(self, tag) -> "ArticleQuerySet":
        """Stories carrying the tag, without the duplicate rows a join would make."""
        return self.filter(
            Exists(TaggedArticle.objects.filter(content_object=OuterRef("pk"), tag=tag))
        )

    def by_author(self, author: Author | int) -> "ArticleQuerySet":
        """Stories with the author in their byline."""
        return self.filter(
            Exists(ArticleAuthor.objects.filter(article=OuterRef("pk"), author=author))
        )

    def as_cards(self) -> "ArticleQuerySet":
        """Stories as listing cards: region for the dateline, the photo.

        The body is left in the database: a card never shows it, and twenty bodies are most of
        the bytes a listing query would otherwise carry. The photos' renditions are fetched when
        the page's cards are made, for the cards not in the cache (articles/caching/fragments.py).
        """
        return self.defer("body").select_related("region", "main_photo")

    def with_bylines(self) -> "ArticleQuerySet":
        """The byline in the editor's order, each author fetched with it: one query for all."""
        return self.prefetch_related(
            Prefetch("bylines", queryset=ArticleAuthor.objects.select_related("author"))
        )

    def with_last_changed(self) -> "ArticleQuerySet":
        """Annotate `last_changed`: the publication or the newest correction, as readers see it."""
        return self.annotate(last_changed=last_changed_expression())

    def awaiting_review(self) -> "ArticleQuerySet":
        """Stories a journalist has handed to an editor."""
        return self.filter(status=ArticleStatus.REVIEW)

    def scheduled(self) -> "ArticleQuerySet":
        """Published stories whose time has not come yet."""
        return self.filter(status=ArticleStatus.PUBLISHED, published_at__gt=timezone.now())

    def leaving(self) -> "ArticleQuerySet":
        """Published stories that an unpublish time still to come will take off the site."""
        return self.filter(status=ArticleStatus.PUBLISHED, unpublish_at__gt=timezone.now())


class Article(SluggedModel):
    Status = ArticleStatus

    headline = CleanCharField(_("заголовок"), max_length=255)
    slug = models.SlugField(
        _("адрес"),
        max_length=SLUG_MAX_LENGTH,
        blank=True,
        help_text=_(
            "Латинская часть адреса после номера материала. Пусто — составится из заголовка."
        ),
    )
    lead = CleanTextField(_("лид"), max_length=600, help_text=_("Подводка под заголовком."))
    body = SanitizedHTMLField(_("текст"), blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("регион"), on_delete=models.PROTECT, related_name="articles"
    )
    authors = models.ManyToManyField(
        Author,
        verbose_name=_("авторы"),
        through="ArticleAuthor",
        related_name="articles",
        blank=True,
    )
    main_photo = models.ForeignKey(
        Photo,
        verbose_name=_("главное фото"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
    )
    tags = TaggableManager(verbose_name=_("теги"), through=TaggedArticle, blank=True)
    # Written by the publishing services alone (articles/publishing/workflow.py), never by a form.
    status = models.CharField(
        _("статус"),
        max_length=16,
        choices=ArticleStatus.choices,
        default=ArticleStatus.DRAFT,
        editable=False,
    )
    published_at = models.DateTimeField(
        _("время публикации"),
        null=True,
        blank=True,
        help_text=_("Время в будущем — материал выйдет сам в это время."),
    )
    unpublish_at = models.DateTimeField(
        _("снять с публикации в"),
        null=True,
        blank=True,
        help_text=_("Необязательно: в это время материал сам исчезнет с сайта."),
    )
    embargo_until = models.DateTimeField(
        _("эмбарго до"),
        null=True,
        blank=True,
        help_text=_("Необязательно: раньше этого времени материал нельзя опубликовать."),
    )
    # The newest correction's time, kept by the correction service: "обновлено" and dateModified.
    corrected_at = models.DateTimeField(_("исправлено"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("сохранено"), auto_now=True)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    is_breaking = models.BooleanField(_("срочная новость"), default=False)
    seo_title = CleanCharField(
        _("SEO-заголовок"), max_length=120, blank=True, help_text=_("Пусто — заголовок.")
    )
    seo_description = CleanCharField(
        _("SEO-описание"), max_length=300, blank=True, help_text=_("Пусто — лид.")
    )
    created_by = staff_member(_("создал"))
    updated_by = staff_member(_("изменил"))
    published_by = staff_member(_("опубликовал"))
    # The add form's one-time key: a double click or a replayed POST cannot make a second story.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    slug_source_field = "headline"

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("материал")
        verbose_name_plural = _("материалы")
        indexes = [
            # Site-wide listings and feeds: published, newest first. The region and the unpublish
            # time ride along as last key columns (SQLite has no INCLUDE), so a deep page's
            # OFFSET reads the index alone.
            models.Index(
                fields=["status", "-published_at", "-id", "region", "unpublish_at"],
                name="article_status_pub_idx",
            ),
            # A region's front page and day archive, covering every column the listing filters on.
            models.Index(
                fields=["region", "status", "-published_at", "-id", "unpublish_at"],
                name="article_region_pub_idx",
            ),
            # The next unpublish time to come, which caps how long a cached sitemap stays right:
            # few stories have one, so the index is small and the lookup one step.
            models.Index(
                fields=["unpublish_at"],
                condition=Q(unpublish_at__isnull=False),
                name="article_unpublish_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ArticleStatus.values),
                name="article_status_known",
                violation_error_message=_("Неизвестный статус материала."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ArticleStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="article_published_has_time",
                violation_error_message=_(
                    "У опубликованного материала должно быть время публикации."
                ),
            ),
            models.CheckConstraint(
                condition=Q(embargo_until__isnull=True)
                | Q(published_at__isnull=True)
                | Q(published_at__gte=F("embargo_until")),
                name="article_not_before_embargo",
                violation_error_message=_("Время публикации раньше конца эмбарго."),
            ),
            models.CheckConstraint(
                condition=Q(unpublish_at__isnull=True)
                | Q(published_at__isnull=True)
                | Q(unpublish_at__gt=F("published_at")),
                name="article_unpublish_after_publish",
                violation_error_message=_("Снять с публикации можно только после её начала."),
            ),
            slug_not_empty("article_slug_not_empty"),
        ]

    def __str__(self):
        return self.headline

    @property
    def body_html(self) -> SafeString:
        """The body as pages show it: stored sanitized (every write path sanitizes it), so it is
        served as it is, never sanitized again per view."""
        return mark_safe(self.body)  # noqa: S308 - sanitized when written (fields.py)

    def get_absolute_url(self) -> str:
        """The canonical URL: every link, feed item and sitemap entry to a story is this one."""
        return story_path(self.region.slug, self.pk, self.slug)

    @property
    def status_label(self) -> str:
        """The state as the desk says it: "запланирован на 27 мар 2019, 15:15", not a raw code."""
        now = timezone.now()
        if self.status == ArticleStatus.PUBLISHED and self.published_at is not None:
            zone = self.region.time_zone
            if self.published_at > now:
                return _("запланирован на %(when)s") % {
                    "when": format_dateline(self.published_at, zone)
                }
            if self.unpublish_at is not None and self.unpublish_at <= now:
                return _("снят по расписанию %(when)s") % {
                    "when": format_dateline(self.unpublish_at, zone)
                }
        return self.get_status_display()


class ArticleAuthor(models.Model):
    """The byline: authors of a story in the order the editor set."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(
        Author, verbose_name=_("автор"), on_delete=models.PROTECT, related_name="bylines"
    )
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("автор материала")
        verbose_name_plural = _("авторы материала")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "author"],
                name="article_author_unique",
                violation_error_message=_("Этот автор уже указан в материале."),
            )
        ]

    def __str__(self):
        return str(self.author)


class RelatedLinkQuerySet(models.QuerySet):
    def visible(self) -> "RelatedLinkQuerySet":
        """Teasers a reader may follow: external links, and internal ones to published stories."""
        return self.filter(Q(target_article__isnull=True) | published_q("target_article__"))


class RelatedLink(models.Model):
    """A teaser in the story's related-links block: another story of the site or an external URL."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_links")
    kicker = CleanCharField(
        _("рубрика"), max_length=40, blank=True, help_text=_("Короткая метка, например «Pro».")
    )
    title = CleanCharField(_("заголовок"), max_length=255)
    target_article = models.ForeignKey(
        Article,
        verbose_name=_("материал сайта"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teaser_references",
    )
    external_url = CleanCharField(
        _("внешняя ссылка"),
        max_length=TEASER_URL_MAX_LENGTH,
        blank=True,
        validators=[validate_teaser_url],
    )
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)

    objects = RelatedLinkQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("ссылка по теме")
        verbose_name_plural = _("ссылки по теме")
        constraints = [
            models.CheckConstraint(
                condition=(Q(target_article__isnull=False) & Q(external_url=""))
                | (Q(target_article__isnull=True) & ~Q(external_url="")),
                name="related_link_one_target",
                violation_error_message=_(
                    "Укажите либо материал сайта, либо внешнюю ссылку — ровно одно из двух."
                ),
            ),
            # The validator explains; this keeps writes that skip validation from storing a
            # javascript: or scheme-relative link that every page would then serve.
            models.CheckConstraint(
                condition=Q(external_url="")
                | Q(external_url__startswith="http://")
                | Q(external_url__startswith="https://"),
                name="related_link_http_url",
                violation_error_message=_(
                    "Внешняя ссылка должна начинаться с http:// или https://."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(target_article=F("article")),
                name="related_link_not_itself",
                violation_error_message=_("Материал не может ссылаться сам на себя."),
            ),
        ]

    def __str__(self):
        return self.title
