"""The photo library: one photo serves many stories; its renditions are made once."""

import uuid
from pathlib import PurePosixPath

from django.db import models
from django.db.models import Q
from django.db.models.fields.files import FieldFile, ImageFileDescriptor
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..fields import CleanCharField, CleanTextField
from .base import staff_member


def photo_upload_to(instance: "Photo", filename: str) -> str:
    """A generated name: the uploader's file name never reaches the disk or a URL."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"photos/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class _StoredImageDescriptor(ImageFileDescriptor):
    """Setting the file a photo already has leaves its size alone.

    Django re-reads the stored image for its width and height on every assignment, which form and
    model validation make on each save: a download per caption edit on S3, and a crash for a
    photo whose file is gone from storage, which must stay editable.
    """

    def __set__(self, instance, value):
        previous = instance.__dict__.get(self.field.attname)
        if previous is not None and _same_stored_file(previous, value):
            instance.__dict__[self.field.attname] = value
            return
        super().__set__(instance, value)


def _same_stored_file(previous, value) -> bool:
    if value is previous:
        return True
    stored_name = previous.name if isinstance(previous, FieldFile) else previous
    if isinstance(value, FieldFile):
        return value._committed and value.name == stored_name
    return isinstance(value, str) and bool(value) and value == stored_name


class StoredImageField(models.ImageField):
    """An ImageField that reads a stored image's size only when the file changes."""

    descriptor_class = _StoredImageDescriptor

    def deconstruct(self):
        # The difference is behaviour only, nothing in the schema: migrations see an ImageField.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ImageField", args, kwargs


class Photo(models.Model):
    image = StoredImageField(
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
    uploaded_by = staff_member(_("загрузил"))
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
