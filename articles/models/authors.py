"""Bylines' people: an author page lists their published stories."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..fields import CleanCharField, CleanTextField
from ..paths import author_path
from ..slugs import SLUG_MAX_LENGTH
from .base import SluggedModel, slug_not_empty
from .photos import Photo


class AuthorQuerySet(models.QuerySet):
    def active(self) -> "AuthorQuerySet":
        """Authors with a public page: an inactive author is named in bylines, never linked."""
        return self.filter(is_active=True)


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

    objects = AuthorQuerySet.as_manager()

    slug_source_field = "name"

    class Meta:
        ordering = ["name"]
        verbose_name = _("автор")
        verbose_name_plural = _("авторы")
        constraints = [slug_not_empty("author_slug_not_empty")]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return author_path(self.slug)
