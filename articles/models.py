"""The newsroom's content model: regions, authors, the photo library, stories and their teasers."""

import functools
import uuid
import zoneinfo
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import ItemBase, TagBase

from .fields import CleanCharField, CleanTextField, SanitizedHTMLField
from .slugs import SLUG_MAX_LENGTH, slugify_ru, validate_not_reserved
from .teasers import TEASER_URL_MAX_LENGTH, validate_teaser_url


@functools.cache
def _known_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _known_time_zones():
        raise ValidationError(
            _("«%(zone)s» — не часовой пояс IANA (например, Europe/Kaliningrad)."),
            code="invalid_time_zone",
            params={"zone": value},
        )


def _staff_member(verbose_name) -> models.ForeignKey:
    """Who did something at the desk: kept for the record, forgotten if the account is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class SluggedModel(models.Model):
    """A model whose Latin slug is made from a Russian field unless the editor typed one.

    `clean()` fills and checks the slug so forms show an error (empty, reserved, taken) instead of
    the database raising; `save()` fills it for code paths without a form.
    """

    slug_source_field: str

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.fill_slug()
        super().save(*args, **kwargs)

    def fill_slug(self) -> bool:
        if self.slug:
            return False
        max_length = self._meta.get_field("slug").max_length
        self.slug = slugify_ru(getattr(self, self.slug_source_field), max_length=max_length)
        return True

    def clean(self):
        super().clean()
        if not self.fill_slug():
            return
        if not self.slug:
            raise ValidationError(
                {"slug": _("Из этого текста не получается латинский адрес: введите его вручную.")}
            )
        try:
            self._meta.get_field("slug").run_validators(self.slug)
        except ValidationError as error:
            raise ValidationError({"slug": error.error_list}) from error


def _slug_not_empty(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=~Q(slug=""),
        name=name,
        violation_error_message=_("Адрес (slug) не может быть пустым."),
    )


class Region(SluggedModel):
    name = CleanCharField(_("название"), max_length=100, unique=True)
    slug = models.SlugField(
        _("адрес"),
        max_length=50,
        unique=True,
        blank=True,
        validators=[validate_not_reserved],
        help_text=_("Первая часть адресов региона на сайте. Пусто — составится из названия."),
    )
    time_zone = models.CharField(
        _("часовой пояс"),
        max_length=64,
        default="Europe/Moscow",
        validators=[validate_time_zone],
        help_text=_("Пояс IANA, например Europe/Kaliningrad: в нём показывается время материалов."),
    )
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)
    is_active = models.BooleanField(
        _("активен"),
        default=True,
        help_text=_("Материалы неактивного региона не видны читателям."),
    )
    description = CleanTextField(_("описание"), blank=True)

    slug_source_field = "name"

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("регион")
        verbose_name_plural = _("регионы")
        constraints = [_slug_not_empty("region_slug_not_empty")]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:region_detail", kwargs={"region": self.slug})

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


def photo_upload_to(instance: "Photo", filename: str) -> str:
    """A generated name: the uploader's file name never reaches the disk or a URL."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"photos/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Photo(models.Model):
    image = models.ImageField(
        _("файл"),
        upload_to=photo_upload_to,
        width_field="width",
        height_field="height",
        max_length=200,
    )
    alt_text = CleanCharField(
        _("альтернативный текст"),
        max_length=300,
        help_text=_("Что изображено — для незрячих читателей и поисковиков."),
    )
    caption = CleanTextField(_("подпись"), max_length=1000, blank=True)
    credit = CleanCharField(
        _("автор фото"), max_length=200, help_text=_("Выводится как «Фото: …».")
    )
    source_url = models.URLField(_("источник"), max_length=2000, blank=True)
    width = models.PositiveIntegerField(_("ширина"), editable=False, default=0)
    height = models.PositiveIntegerField(_("высота"), editable=False, default=0)
    focal_x = models.PositiveSmallIntegerField(_("фокус по горизонтали, %"), null=True, blank=True)
    focal_y = models.PositiveSmallIntegerField(_("фокус по вертикали, %"), null=True, blank=True)
    uploaded_by = _staff_member(_("загрузил"))
    uploaded_at = models.DateTimeField(_("загружено"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("фотография")
        verbose_name_plural = _("фотографии")
        constraints = [
            models.CheckConstraint(
                condition=Q(focal_x__isnull=True) | Q(focal_x__lte=100),
                name="photo_focal_x_percent",
                violation_error_message=_("Фокус задаётся в процентах: от 0 до 100."),
            ),
            models.CheckConstraint(
                condition=Q(focal_y__isnull=True) | Q(focal_y__lte=100),
                name="photo_focal_y_percent",
                violation_error_message=_("Фокус задаётся в процентах: от 0 до 100."),
            ),
        ]

    def __str__(self):
        return self.alt_text or f"#{self.pk}"


class Author(SluggedModel):
    name = CleanCharField(_("имя"), max_length=150)
    slug = models.SlugField(
        _("адрес"),
        max_length=SLUG_MAX_LENGTH,
        unique=True,
        blank=True,
        help_text=_("Адрес страницы автора. Пусто — составится из имени."),
    )
    job_title = CleanCharField(_("должность"), max_length=150, blank=True)
    bio = CleanTextField(_("о себе"), blank=True)
    photo = models.ForeignKey(
        Photo,
        verbose_name=_("фото"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="portrait_of",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пользователь"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
    )
    is_active = models.BooleanField(_("активен"), default=True)

    slug_source_field = "name"

    class Meta:
        ordering = ["name"]
        verbose_name = _("автор")
        verbose_name_plural = _("авторы")
        constraints = [_slug_not_empty("author_slug_not_empty")]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:author_detail", kwargs={"author": self.slug})


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

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("тег")
        verbose_name_plural = _("теги")

    def get_absolute_url(self) -> str:
        return reverse("articles:tag_detail", kwargs={"tag": self.slug})

    def slugify(self, tag, i=None):
        slug = slugify_ru(tag) or "tag"
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


class ArticleQuerySet(models.QuerySet):
    def published(self) -> "ArticleQuerySet":
        """Stories a reader may see: published, due, in an active region."""
        return self.filter(published_q())


def published_q(prefix: str = "") -> Q:
    """The visibility rule as a Q, for filters across relations (`prefix="target_article__"`)."""
    return Q(
        **{
            f"{prefix}status": ArticleStatus.PUBLISHED,
            f"{prefix}published_at__lte": timezone.now(),
            f"{prefix}region__is_active": True,
        }
    )


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("черновик")
    REVIEW = "review", _("на проверке")
    PUBLISHED = "published", _("опубликован")
    UNPUBLISHED = "unpublished", _("снят с публикации")


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
    status = models.CharField(
        _("статус"), max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    published_at = models.DateTimeField(
        _("время публикации"),
        null=True,
        blank=True,
        help_text=_("Время в будущем — материал выйдет сам в это время."),
    )
    updated_at = models.DateTimeField(_("обновлено"), auto_now=True)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    is_breaking = models.BooleanField(_("срочная новость"), default=False)
    seo_title = CleanCharField(
        _("SEO-заголовок"), max_length=120, blank=True, help_text=_("Пусто — заголовок.")
    )
    seo_description = CleanCharField(
        _("SEO-описание"), max_length=300, blank=True, help_text=_("Пусто — лид.")
    )
    created_by = _staff_member(_("создал"))
    updated_by = _staff_member(_("изменил"))
    published_by = _staff_member(_("опубликовал"))

    objects = ArticleQuerySet.as_manager()

    slug_source_field = "headline"

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("материал")
        verbose_name_plural = _("материалы")
        indexes = [
            # Site-wide listings and feeds: published, newest first. The region rides along as a
            # last key column (SQLite has no INCLUDE) so a deep page's OFFSET reads the index alone.
            models.Index(
                fields=["status", "-published_at", "-id", "region"],
                name="article_status_pub_idx",
            ),
            # A region's front page and day archive, covering every column the listing filters on.
            models.Index(
                fields=["region", "status", "-published_at", "-id"],
                name="article_region_pub_idx",
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
            _slug_not_empty("article_slug_not_empty"),
        ]

    def __str__(self):
        return self.headline

    def get_absolute_url(self) -> str:
        """The canonical URL: every link, feed item and sitemap entry to a story is this one."""
        return reverse(
            "articles:article_detail",
            kwargs={"region": self.region.slug, "pk": self.pk, "slug": self.slug},
        )

    def clean(self):
        super().clean()
        # Publishing without a time means "now", as an editor pressing publish expects.
        # To the second, as the admin's time field shows it, so re-saving the form changes nothing.
        if self.status == ArticleStatus.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now().replace(microsecond=0)


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


class PhotoRendition(models.Model):
    """One resized copy of a photo for the public site: made once, then only read by pages."""

    class Format(models.TextChoices):
        WEBP = "webp", "WebP"
        JPEG = "jpeg", "JPEG"

    photo = models.ForeignKey(
        Photo, verbose_name=_("фотография"), on_delete=models.CASCADE, related_name="renditions"
    )
    spec = models.CharField(_("размер"), max_length=16)
    width = models.PositiveIntegerField(_("ширина"))
    height = models.PositiveIntegerField(_("высота"))
    format = models.CharField(_("формат"), max_length=4, choices=Format.choices)
    source_key = models.CharField(
        _("ключ источника"),
        max_length=16,
        help_text=_("Отпечаток файла фотографии и её фокуса: по нему видно, что копия устарела."),
    )
    file = models.FileField(_("файл"), upload_to="renditions/", max_length=255)

    class Meta:
        verbose_name = _("копия фотографии")
        verbose_name_plural = _("копии фотографий")
        constraints = [
            # Two builders racing for the same copy: the second insert fails and reads the first.
            models.UniqueConstraint(
                fields=["photo", "spec", "width", "format"], name="photo_rendition_unique"
            ),
            models.CheckConstraint(
                condition=Q(format__in=["webp", "jpeg"]), name="photo_rendition_format_known"
            ),
        ]

    def __str__(self):
        return f"{self.photo_id}: {self.spec} {self.width}w {self.format}"
