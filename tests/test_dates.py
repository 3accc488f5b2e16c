import datetime
import zoneinfo

import pytest

from articles.dates import format_dateline

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
