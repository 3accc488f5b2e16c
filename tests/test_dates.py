import datetime
import zoneinfo

import pytest

from articles.dates import format_dateline, listing_time, relative_times_allowed

UTC = datetime.UTC


@pytest.mark.parametrize(
    ("utc_moment", "zone", "expected"),
    [
        (
            datetime.datetime(2019, 3, 27, 13, 15, tzinfo=UTC),
            "Europe/Kaliningrad",
            "27 мар 2019, 15:15",
        ),
        (datetime.datetime(2020, 5, 5, 6, 3, tzinfo=UTC), "Europe/Moscow", "5 мая 2020, 09:03"),
        (datetime.datetime(2024, 1, 1, 0, 30, tzinfo=UTC), "Asia/Vladivostok", "1 янв 2024, 10:30"),
        # Late evening in Moscow is already the next day, and month, in Novosibirsk.
        (
            datetime.datetime(2023, 8, 31, 20, 0, tzinfo=UTC),
            "Asia/Novosibirsk",
            "1 сен 2023, 03:00",
        ),
    ],
)
def test_dateline_is_on_the_region_clock_with_genitive_short_month(utc_moment, zone, expected):
    assert format_dateline(utc_moment, zone) == expected


def test_every_month_reads_as_a_russian_newsroom_writes_it():
    months = [
        format_dateline(datetime.datetime(2025, m, 10, 9, 0, tzinfo=UTC), "UTC").split()[1]
        for m in range(1, 13)
    ]
    assert months == [
        "янв",
        "фев",
        "мар",
        "апр",
        "мая",
        "июн",
        "июл",
        "авг",
        "сен",
        "окт",
        "ноя",
        "дек",
    ]


def test_zone_object_is_accepted_too():
    moment = datetime.datetime(2019, 3, 27, 13, 15, tzinfo=UTC)
    zone = zoneinfo.ZoneInfo("Asia/Yekaterinburg")
    assert format_dateline(moment, zone) == "27 мар 2019, 18:15"


NOW = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (datetime.timedelta(seconds=0), "только что"),
        (datetime.timedelta(seconds=59), "только что"),
        (datetime.timedelta(minutes=1), "1 минуту назад"),
        (datetime.timedelta(minutes=2, seconds=59), "2 минуты назад"),
        (datetime.timedelta(minutes=5), "5 минут назад"),
        (datetime.timedelta(minutes=11), "11 минут назад"),
        (datetime.timedelta(minutes=14), "14 минут назад"),
        (datetime.timedelta(minutes=15), "15 минут назад"),
        (datetime.timedelta(minutes=21), "21 минуту назад"),
        (datetime.timedelta(minutes=34), "34 минуты назад"),
        (datetime.timedelta(minutes=59, seconds=59), "59 минут назад"),
        (datetime.timedelta(hours=1), "1 час назад"),
        (datetime.timedelta(hours=2, minutes=59), "2 часа назад"),
    ],
)
def test_a_fresh_story_is_listed_by_its_age_in_russian(age, expected):
    assert listing_time(NOW - age, "Asia/Vladivostok", now=NOW) == expected


def test_after_three_hours_a_list_shows_the_region_clock_without_the_year():
    moment = NOW - datetime.timedelta(hours=3)  # 06:30 UTC
    assert listing_time(moment, "Europe/Kaliningrad", now=NOW) == "1 дек, 08:30"
    assert listing_time(moment, "Asia/Vladivostok", now=NOW) == "1 дек, 16:30"


def test_a_story_of_another_year_on_the_region_calendar_shows_its_year():
    moment = datetime.datetime(2025, 12, 31, 20, 0, tzinfo=UTC)
    now = datetime.datetime(2026, 1, 2, 12, 0, tzinfo=UTC)
    # Still 2025 in Kaliningrad; already 2026 in Vladivostok.
    assert listing_time(moment, "Europe/Kaliningrad", now=now) == "31 дек 2025, 22:00"
    assert listing_time(moment, "Asia/Vladivostok", now=now) == "1 янв, 06:00"


def test_a_clock_slightly_ahead_of_ours_is_just_now_not_a_negative_age():
    assert listing_time(NOW + datetime.timedelta(seconds=30), "UTC", now=NOW) == "только что"


def test_without_relative_times_a_list_always_shows_the_clock():
    moment = NOW - datetime.timedelta(minutes=15)
    assert listing_time(moment, "Europe/Moscow", now=NOW, relative=False) == "1 дек, 12:15"


@pytest.mark.parametrize(
    ("cache_seconds", "allowed"), [(0, True), (60, True), (300, True), (301, False), (3600, False)]
)
def test_ages_are_shown_only_when_caches_keep_pages_a_few_minutes_at_most(cache_seconds, allowed):
    assert relative_times_allowed(cache_seconds) is allowed
