"""The dateline: every date a reader sees is formatted here.

Russian newsrooms abbreviate months in the genitive ("5 мая 2020"), which Django's `b` format
(nominative "май") does not give, so the month names are our own, translatable like any label.
"""

import datetime
import zoneinfo

from django.utils import timezone
from django.utils.translation import pgettext_lazy

MONTHS_GENITIVE_SHORT = {
    1: pgettext_lazy("short month, genitive", "янв"),
    2: pgettext_lazy("short month, genitive", "фев"),
    3: pgettext_lazy("short month, genitive", "мар"),
    4: pgettext_lazy("short month, genitive", "апр"),
    5: pgettext_lazy("short month, genitive", "мая"),
    6: pgettext_lazy("short month, genitive", "июн"),
    7: pgettext_lazy("short month, genitive", "июл"),
    8: pgettext_lazy("short month, genitive", "авг"),
    9: pgettext_lazy("short month, genitive", "сен"),
    10: pgettext_lazy("short month, genitive", "окт"),
    11: pgettext_lazy("short month, genitive", "ноя"),
    12: pgettext_lazy("short month, genitive", "дек"),
}


def format_dateline(moment: datetime.datetime, time_zone: str | zoneinfo.ZoneInfo) -> str:
    """`27 мар 2019, 15:15` for an aware moment, on the wall clock of the given zone."""
    if isinstance(time_zone, str):
        time_zone = zoneinfo.ZoneInfo(time_zone)
    local = timezone.localtime(moment, time_zone)
    month = MONTHS_GENITIVE_SHORT[local.month]
    return f"{local.day} {month} {local.year}, {local:%H:%M}"


def machine_time(moment: datetime.datetime, time_zone: str | None = None) -> str:
    """ISO 8601 to the second with the offset: what `<time datetime>`, feeds and JSON-LD carry.

    On the region's clock when a zone is given, so the offset matches the dateline a reader sees.
    """
    if time_zone is not None:
        moment = timezone.localtime(moment, zoneinfo.ZoneInfo(time_zone))
    return moment.replace(microsecond=0).isoformat()
