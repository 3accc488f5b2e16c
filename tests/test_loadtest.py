"""The load test's own arithmetic: percentiles, what counts as visible or stale, and the report.

`make loadtest` itself is a measurement and is not run here (README, "Load test").
"""

import pytest

from bench.loadtest import percentile, report, summarize
from bench.visibility import Tracker


def test_percentiles_are_nearest_rank():
    values = list(range(1, 101))  # 1..100
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([7.0], 99) == 7.0
    assert percentile([3, 1, 2], 50) == 2  # unsorted input
    assert percentile([], 50) is None


def test_a_change_is_visible_from_the_first_answer_that_shows_it():
    tracker = Tracker()
    tracker.saved(1, "LTaaa", at=10.0)
    tracker.seen(1, "story", "/s/", "old headline", started=10.0, finished=10.1)
    assert not tracker.visible(1, "story")
    tracker.seen(1, "story", "/s/", "<h1>LTaaa</h1>", started=10.2, finished=10.35)
    assert tracker.visible(1, "story")
    assert tracker.delays_ms["story"] == [pytest.approx(350)]
    assert not tracker.stale


def test_an_old_page_after_the_change_was_seen_is_a_stale_read():
    tracker = Tracker()
    tracker.saved(1, "LTaaa", at=10.0)
    tracker.seen(1, "home", "/", "LTaaa", started=10.1, finished=10.2)
    # Started before the change was seen: a race, not a stale read.
    tracker.seen(1, "home", "/", "old headline", started=10.15, finished=10.3)
    assert not tracker.stale
    # Started after: stale. Another page kind has its own timeline.
    tracker.seen(1, "home", "/", "old headline", started=10.5, finished=10.6)
    tracker.seen(1, "region", "/r/", "old headline", started=10.5, finished=10.6)
    [stale] = tracker.stale
    assert (stale.page, stale.shown, stale.seen) == ("home", 0, 1)
    assert stale.late_by_ms == pytest.approx(300)


def test_an_older_marker_after_a_newer_one_was_seen_is_stale():
    tracker = Tracker()
    tracker.saved(1, "LTaaa", at=1.0)
    tracker.seen(1, "story", "/s/", "LTaaa", started=1.1, finished=1.2)
    tracker.saved(1, "LTbbb", at=2.0)
    tracker.seen(1, "story", "/s/", "LTaaa", started=2.1, finished=2.2)  # not yet purged
    assert not tracker.stale
    tracker.seen(1, "story", "/s/", "LTbbb", started=2.3, finished=2.4)
    tracker.seen(1, "story", "/s/", "LTaaa", started=2.5, finished=2.6)
    assert [(s.shown, s.seen) for s in tracker.stale] == [(1, 2)]
    assert tracker.delays_ms["story"] == [pytest.approx(200), pytest.approx(400)]


def test_a_published_story_starts_from_nothing():
    tracker = Tracker()
    tracker.saved(5, "LTccc", at=1.0, new=True)
    tracker.seen(5, "story", "/s/", "Страница не найдена", started=1.0, finished=1.1)
    tracker.seen(5, "story", "/s/", "LTccc", started=1.2, finished=1.3)
    tracker.seen(5, "story", "/s/", "Страница не найдена", started=1.4, finished=1.5)
    assert [(s.shown, s.seen) for s in tracker.stale] == [(0, 1)]
    assert tracker.results()["saves"] == 1


def raw_results(**overrides):
    raw = {
        "seconds": 10.0,
        "latencies_ms": {
            "home": [2.0] * 98 + [50.0, 900.0],
            "story (breaking)": [1.0] * 200,
            "desk: save": [120.0, 180.0],
        },
        "failures": {},
        "failure_samples": {},
        "missed": {},
        "delays_ms": {"story": [200.0, 300.0], "region": [250.0], "home": [400.0, 950.0]},
        "saves": 2,
        "stale": [],
    }
    return raw | overrides


def test_summary_per_kind_and_the_bar():
    summary = summarize(raw_results())
    home = summary["kinds"]["home"]
    assert (home["requests"], home["rps"], home["p50"], home["p99"]) == (100, 10.0, 2.0, 50.0)
    assert summary["reader_rps"] == 30.0  # home and the story, not the desk
    assert summary["visible"]["home"]["max"] == 950.0
    assert summary["meets_bar"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"failures": {"home": 1}},
        {"stale": [{"page": "story", "pk": 1, "url": "/s/", "shown": 0, "seen": 1}]},
        {"missed": {"region": 1}},
        {"delays_ms": {"story": [1200.0], "region": [200.0], "home": [200.0]}},
        {"delays_ms": {}},  # nothing measured proves nothing
    ],
)
def test_the_bar_is_missed_by_any_error_stale_read_miss_or_slow_change(overrides):
    assert not summarize(raw_results(**overrides))["meets_bar"]


def test_the_report_shows_every_configuration_and_page():
    runs = {}
    for name in ("no edge, 1 worker", "edge, 2 workers"):
        runs[name] = summarize(raw_results()) | {
            "app_cpu_ms": 1.5,
            "capacity_rps": 200.0,
            "offered_rps": 100.0,
            "busy": 0.8,
            "purges": {
                "tasks": 3,
                "wait_p50": 90.0,
                "wait_max": 210.0,
                "run_p50": 8.0,
                "run_max": 20.0,
            },
        }
    stale = {"page": "home", "pk": 1, "url": "/", "shown": 0, "seen": 1, "late_by_ms": 5.0}
    runs["edge, 2 workers"] |= {"stale": 1, "stale_samples": [stale], "meets_bar": False}
    text = report(
        runs,
        {
            "published": 99_000,
            "database": "PostgreSQL",
            "readers": 24,
            "editors": 2,
            "seconds": 45,
            "cores": 2,
            "uptime": "1.00 1.00 1.00",
            "uptime_after": "1.50 1.10 1.00",
            "load": 0.5,
            "not_measured": {},
        },
    )
    assert "99,000 published stories" in text
    lines = text.splitlines()
    assert any(line.startswith("no edge, 1 worker") and line.endswith("met") for line in lines)
    assert any(line.startswith("edge, 2 workers") and line.endswith("MISSED") for line in lines)
    assert any("home" in line and " 950" in line for line in lines)  # the slowest change
    assert "stale read" in text
