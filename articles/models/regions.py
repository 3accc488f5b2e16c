"""The network's regional editions: each has its own URL root and its own clock."""

import functools
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..fields import CleanCharField, CleanTextField
from ..paths import region_path
from ..slugs import validate_not_reserved
from .base import SluggedModel, slug_not_empty


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


class RegionQuerySet(models.QuerySet):
    def active(self) -> "RegionQuerySet":
        """Regions readers can see; an inactive region's stories are hidden with it."""
        return self.filter(is_active=True)


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

    objects = RegionQuerySet.as_manager()

    slug_source_field = "name"

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("регион")
        verbose_name_plural = _("регионы")
        constraints = [slug_not_empty("region_slug_not_empty")]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return region_path(self.slug)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)
