"""What readers saw of the desk's saves: when each headline became visible, and any stale read.

The load test's editors save headlines that carry a unique marker. Each save is a new version of
its story; version 0 is whatever the story showed before the first save (nothing, for a story
just published). Every response of a page that shows a tracked story is handed to `Tracker.seen`
with when its request started and when it finished:

- the first response of a page kind (story, region, home) showing a story's newest version
  makes that version visible there; the delay is from the save (the POST returning) to the end
  of that response;
- a response whose request started after a version was visible on that page kind, and that shows
  an older version, is a stale read: once a reader has seen the change, nobody sees the old page.

Plain Python with no load generator in it, so the rules are tested on their own
(tests/test_loadtest.py).
"""

from dataclasses import dataclass, field

PAGE_KINDS = ("story", "region", "home")


@dataclass
class Story:
    """The saved versions of one story: their markers, save times and where each was seen."""

    pk: int
    markers: list[str | None] = field(default_factory=lambda: [None])
    saved_at: list[float] = field(default_factory=lambda: [0.0])
    # page kind -> version -> when its first response showing it finished
    visible_at: dict[str, dict[int, float]] = field(default_factory=dict)

    @property
    def latest(self) -> int:
        return len(self.markers) - 1

    def shown(self, body: str) -> int:
        """The newest version whose marker is in the page; 0 when none is."""
        for version in range(self.latest, 0, -1):
            if self.markers[version] in body:
                return version
        return 0


@dataclass(frozen=True)
class StaleRead:
    pk: int
    page: str
    url: str
    shown: int  # the version the page showed
    seen: int  # the newer version already visible on that page kind
    late_by_ms: float  # how long after that version was visible the stale request started


class Tracker:
    """The versions of every story the editors saved during the run, and what readers saw."""

    def __init__(self):
        self.stories: dict[int, Story] = {}
        self.delays_ms: dict[str, list[float]] = {kind: [] for kind in PAGE_KINDS}
        self.stale: list[StaleRead] = []

    def saved(self, pk: int, marker: str, at: float, *, new: bool = False) -> None:
        """A save returned at `at` with `marker` in the headline; `new`: it published the story."""
        story = self.stories.get(pk)
        if story is None or new:
            story = self.stories[pk] = Story(pk)
        story.markers.append(marker)
        story.saved_at.append(at)

    def visible(self, pk: int, page: str) -> bool:
        """Whether the story's newest version has been seen on that page kind."""
        story = self.stories[pk]
        return story.latest in story.visible_at.get(page, {})

    def seen(self, pk: int, page: str, url: str, body: str, started: float, finished: float):
        """A response of `page` kind that shows (or should show) story `pk`."""
        story = self.stories.get(pk)
        if story is None:
            return
        shown = story.shown(body)
        visible = story.visible_at.setdefault(page, {})
        newer = [v for v, at in visible.items() if v > shown and at < started]
        if newer:
            seen = max(newer)
            self.stale.append(
                StaleRead(pk, page, url, shown, seen, (started - visible[seen]) * 1000)
            )
        if shown and shown not in visible:
            visible[shown] = finished
            if shown == story.latest:
                self.delays_ms[page].append((finished - story.saved_at[shown]) * 1000)

    def results(self) -> dict:
        """What the run's report needs, as JSON."""
        return {
            "delays_ms": self.delays_ms,
            "saves": sum(story.latest for story in self.stories.values()),
            "stale": [stale.__dict__ for stale in self.stale],
        }
