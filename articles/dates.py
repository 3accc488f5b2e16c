"""The dateline: every date a reader sees is formatted here.

Russian newsrooms abbreviate months in the genitive ("5 мая 2020"), which Django's `b` format
(nominative "май") does not give, so the month names are our own, translatable like any label.
"""

import datetime
import functools
import zoneinfo

from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy

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


@functools.cache
def _translated(language: str | None, labels: str) -> tuple[str, ...]:
    """A table of lazy labels (`_LABELS`) as text in one language: a listing formats a hundred
    dates, and a lazy label looks its catalogue up each time it is formatted."""
    return tuple(str(label) for label in _LABELS[labels])


def _month(number: int) -> str:
    return _translated(get_language(), "months")[number - 1]


def format_dateline(moment: datetime.datetime, time_zone: str | zoneinfo.ZoneInfo) -> str:
    """`27 мар 2019, 15:15` for an aware moment, on the wall clock of the given zone."""
    if isinstance(time_zone, str):
        time_zone = zoneinfo.ZoneInfo(time_zone)
    local = timezone.localtime(moment, time_zone)
    month = _month(local.month)
    return f"{local.day} {month} {local.year}, {local:%H:%M}"


def machine_time(moment: datetime.datetime, time_zone: str | None = None) -> str:
    """ISO 8601 to the second with the offset: what `<time datetime>`, feeds and JSON-LD carry.

    On the region's clock when a zone is given, so the offset matches the dateline a reader sees.
    """
    if time_zone is not None:
        moment = timezone.localtime(moment, zoneinfo.ZoneInfo(time_zone))
    return moment.replace(microsecond=0).isoformat()


# Lists give the age of a story for its first hours ("15 минут назад"): a reader in any zone
# understands it. After that, the story's own region's clock, named in the dateline beside it.
RELATIVE_FOR = datetime.timedelta(hours=3)
# A page may be kept by browsers and CDNs for PUBLIC_CACHE_SECONDS after it was rendered, and an
# age in minutes is then that much too young. Up to five minutes of that is honest enough for
# "15 минут назад"; a site cached longer shows clock times only.
RELATIVE_MAX_STALENESS = datetime.timedelta(minutes=5)

_MINUTES = (
    pgettext_lazy("age of a story, 1 / 21 / 31…", "%(n)d минуту назад"),
    pgettext_lazy("age of a story, 2-4 / 22-24…", "%(n)d минуты назад"),
    pgettext_lazy("age of a story, 5-20 / 25-30…", "%(n)d минут назад"),
)
_HOURS = (
    pgettext_lazy("age of a story, 1 / 21…", "%(n)d час назад"),
    pgettext_lazy("age of a story, 2-4 / 22-24…", "%(n)d часа назад"),
    pgettext_lazy("age of a story, 5-20…", "%(n)d часов назад"),
)
JUST_NOW = pgettext_lazy("age of a story under a minute", "только что")


_LABELS = {
    "months": tuple(MONTHS_GENITIVE_SHORT.values()),
    "minutes": _MINUTES,
    "hours": _HOURS,
    "just now": (JUST_NOW,),
}


def _russian_form(n: int, labels: str) -> str:
    """One of the three Russian plural forms for n: 1 минуту, 2 минуты, 5 минут."""
    forms = _translated(get_language(), labels)
    if n % 10 == 1 and n % 100 != 11:
        form = forms[0]
    elif 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        form = forms[1]
    else:
        form = forms[2]
    return form % {"n": n}


def relative_times_allowed(cache_seconds: int) -> bool:
    """Whether a page kept this long by caches may still say "15 минут назад"."""
    return datetime.timedelta(seconds=cache_seconds) <= RELATIVE_MAX_STALENESS


def listing_time(
    moment: datetime.datetime,
    time_zone: str | zoneinfo.ZoneInfo,
    *,
    now: datetime.datetime | None = None,
    relative: bool = True,
) -> str:
    """A story's time in a list: its age for the first hours, then the region's clock.

    `15 минут назад`, `2 часа назад`; after RELATIVE_FOR, `1 дек, 05:17` this year and
    `27 мар 2019, 15:15` before it, on the wall clock of the given zone. `relative=False` gives
    the clock time always (a page cached too long for an age to stay true).
    """
    if isinstance(time_zone, str):
        time_zone = zoneinfo.ZoneInfo(time_zone)
    now = now or timezone.now()
    age = now - moment
    if relative and age < RELATIVE_FOR:
        if age < datetime.timedelta(minutes=1):
            # A clock a few seconds ahead of ours included.
            return _translated(get_language(), "just now")[0]
        if age < datetime.timedelta(hours=1):
            return _russian_form(age // datetime.timedelta(minutes=1), "minutes")
        return _russian_form(age // datetime.timedelta(hours=1), "hours")
    local = timezone.localtime(moment, time_zone)
    if local.year != timezone.localtime(now, time_zone).year:
        return format_dateline(moment, time_zone)
    return f"{local.day} {_month(local.month)}, {local:%H:%M}"
