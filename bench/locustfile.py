"""The load of `make loadtest` for locust: a breaking-news day's readers and the desk's editors.

Started by bench/loadtest.py, which names the plan (LOADTEST_PLAN, made by bench/loadplan.py)
and where to write what was seen (LOADTEST_RESULTS, JSON, at the end of the run).

- Readers (each user a stream of them, at its share of LOADTEST_RATE pages a second, or as fast
  as the site answers) ask for story pages (five in six of them for the six newest stories, the
  rest for a sample of the other published ones), the home page, region pages (mostly the first
  page), searches and RSS feeds.
- Each editor signs in to the desk and, again and again, either changes the headline of the
  story it works on or publishes a new story in its region (which it then works on), through the
  desk's own story form: the page is fetched, every field it holds is sent back as a browser
  would (CSRF token, one-time form key, edit token), with a headline carrying a unique marker.
- From the moment the save returns, watchers ask for the story page, the editor's region page
  and the home page until the marker is there, then keep asking until the editor's next save;
  bench/visibility.py records the delays and any stale read, also among the readers' own
  answers of those pages.
"""

import json
import os
import random
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import gevent
import lxml.etree
import lxml.html
from locust import FastHttpUser, between, events, task
from locust.contrib.fasthttp import FastHttpSession

from bench.visibility import Tracker

PLAN = json.loads(Path(os.environ["LOADTEST_PLAN"]).read_text())
# Give up on a change not visible after this long (it counts as missed).
VISIBLE_TIMEOUT = float(os.environ.get("LOADTEST_VISIBLE_TIMEOUT", "10"))
# The readers' pages per second, all of them together (LOADTEST_RATE; 0: as fast as answered).
RATE = float(os.environ.get("LOADTEST_RATE", "0"))
READERS = int(os.environ.get("LOADTEST_READERS", "1"))
# Between the asks of a watcher: until the change shows, and after (looking for stale reads).
POLL_UNTIL_SEEN = 0.02
POLL_AFTER_SEEN = 0.1
STORY_FORM = "/admin/articles/article/{pk}/change/"
ADD_FORM = "/admin/articles/article/add/"

tracker = Tracker()
# Every request, by kind: [latency ms, ...], and the failures with a sample of their reasons.
latencies: dict[str, list[float]] = {}
failures: dict[str, int] = {}
failure_samples: dict[str, list[str]] = {}
missed: dict[str, int] = {}
run = {"started": None, "stopped": None}
# What each editor works on now: {region path: story pk}, for the readers' answers of listings.
working_on: dict[str, int] = {}


@events.request.add_listener
def on_request(name, response_time, exception, **_):
    latencies.setdefault(name, []).append(response_time)
    if exception is not None:
        failures[name] = failures.get(name, 0) + 1
        samples = failure_samples.setdefault(name, [])
        if len(samples) < 5:
            samples.append(str(exception)[:300])


@events.test_start.add_listener
def on_start(**_):
    run["started"] = time.monotonic()


@events.test_stop.add_listener
def on_stop(**_):
    run["stopped"] = time.monotonic()
    results = {
        "seconds": run["stopped"] - (run["started"] or run["stopped"]),
        "latencies_ms": latencies,
        "failures": failures,
        "failure_samples": failure_samples,
        "missed": missed,
        **tracker.results(),
    }
    Path(os.environ["LOADTEST_RESULTS"]).write_text(json.dumps(results))


def fetch(client, path: str, name: str, **kwargs):
    """GET `path`; the response, and when the request started and finished (monotonic)."""
    started = time.monotonic()
    with client.get(path, name=name, catch_response=True, **kwargs) as response:
        finished = time.monotonic()
        if not 200 <= response.status_code < 400:
            response.failure(f"{response.status_code} from {path}")
    return response, started, finished


class Reader(FastHttpUser):
    # Each user is a stream of readers: its share of RATE, or as fast as the site answers.
    def wait_time(self):
        if not RATE:
            return 0
        return random.expovariate(RATE / READERS)

    def read(self, path: str, name: str):
        response, started, finished = fetch(self.client, path, name)
        return response.text or "", started, finished

    # A breaking-news day: most readers come for the newest stories.
    @task(50)
    def breaking_story(self):
        # The network's newest stories, and the ones the editors are changing right now.
        current = {Editor.story_paths[pk]: pk for pk in working_on.values()}
        path = random.choice([*PLAN["breaking"], *current])
        body, started, finished = self.read(path, "story (breaking)")
        if path in current:
            tracker.seen(current[path], "story", path, body, started, finished)

    @task(10)
    def other_story(self):
        self.read(random.choice(PLAN["stories"]), "story (other)")

    @task(15)
    def home(self):
        body, started, finished = self.read("/", "home")
        for pk in list(working_on.values()):
            tracker.seen(pk, "home", "/", body, started, finished)

    @task(10)
    def region(self):
        path = random.choice(PLAN["regions"])
        if random.random() < 0.2:
            self.read(f"{path}?page={random.randint(2, 5)}", "region")
            return
        body, started, finished = self.read(path, "region")
        if path in working_on:
            tracker.seen(working_on[path], "region", path, body, started, finished)

    @task(5)
    def search(self):
        self.read("/search/?" + urlencode({"q": random.choice(PLAN["searches"])}), "search")

    @task(10)
    def feed(self):
        self.read(random.choice(PLAN["feeds"]), "feed")


class Editor(FastHttpUser):
    """One demo editor at the desk of its region (PLAN["editors"], one user each)."""

    fixed_count = len(PLAN["editors"])
    wait_time = between(1, 3)
    accounts = iter(PLAN["editors"])
    story_paths: dict[int, str] = {}

    def on_start(self):
        self.account = next(Editor.accounts)
        self.region = self.account["region"]
        self.story: int | None = None
        self.watchers: list[gevent.Greenlet] = []
        # The watchers read as readers do: without the editor's session cookie.
        self.reader = FastHttpSession(self.host, self.environment.events.request, self)
        self.log_in()
        # A story of its own, the newest of its region, which its region page and the home page
        # show: only this editor publishes there.
        self.publish()

    def log_in(self):
        page, _, _ = fetch(self.client, "/admin/login/", "desk: login form")
        token = lxml.html.fromstring(page.text).xpath("//input[@name='csrfmiddlewaretoken']")[0]
        response = self.post(
            "/admin/login/?next=/admin/",
            [
                ("csrfmiddlewaretoken", token.value),
                ("username", self.account["username"]),
                ("password", PLAN["password"]),
                ("next", "/admin/"),
            ],
            "desk: log in",
        )
        if response.status_code != 302:
            raise RuntimeError(f"{self.account['username']} could not sign in")

    def post(self, path, fields, name, **kwargs):
        """A form sent as a browser sends it; the redirect that answers it is not followed."""
        return self.client.post(
            path,
            data=urlencode(fields),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            name=name,
            allow_redirects=False,
            **kwargs,
        )

    @task(2)
    def update(self):
        if self.story is None:
            return self.publish()
        self.save(STORY_FORM.format(pk=self.story), "desk: save", new=False)

    @task(1)
    def publish(self):
        self.save(f"{ADD_FORM}?region={self.region['pk']}", "desk: publish", new=True)

    def save(self, form_path: str, name: str, *, new: bool):
        """Open the form, save it with a marked headline, and watch the change reach readers."""
        page, _, _ = fetch(self.client, form_path, "desk: story form")
        if page.status_code != 200:
            return
        marker = f"LT{uuid.uuid4().hex[:12]}"
        headline = f"Молния: {self.account['username']} сообщает {marker}"
        fields = form_fields(page.text, headline=headline, new=new, region=self.region["pk"])
        for watcher in self.watchers:
            watcher.kill(block=True)  # no reads of the last change once this one is on its way
        with self.post(form_path, fields, name, catch_response=True) as response:
            returned = time.monotonic()
            location = response.headers.get("Location", "") if response.headers else ""
            pk = story_pk(location)
            if response.status_code != 302 or pk is None:
                response.failure(f"save refused ({response.status_code}): {form_errors(response)}")
                return
        if new:
            path = self.public_path(pk)
            if path is None:
                events.request.fire(
                    request_type="GET",
                    name="desk: story form",
                    response_time=0,
                    response_length=0,
                    exception=RuntimeError(f"story {pk} has no link to the site"),
                )
                return
            self.story = pk
            Editor.story_paths[pk] = path
        tracker.saved(self.story, marker, returned, new=new)
        working_on[self.region["path"]] = self.story
        self.watch(returned)

    def public_path(self, pk: int) -> str | None:
        """The new story's address on the site, from the desk's "view on site" link."""
        page, _, _ = fetch(self.client, STORY_FORM.format(pk=pk), "desk: story form")
        links = lxml.html.fromstring(page.text).xpath("//a[contains(@class, 'viewsitelink')]")
        return urlsplit(links[0].get("href")).path if links else None

    def watch(self, since: float):
        """Ask for the three pages until the change shows on each; wait for all three."""
        pk, story_path = self.story, Editor.story_paths[self.story]
        pages = {"story": story_path, "region": self.region["path"], "home": "/"}
        self.watchers = [
            gevent.spawn(self.watcher, pk, kind, path, since) for kind, path in pages.items()
        ]
        deadline = since + VISIBLE_TIMEOUT
        while time.monotonic() < deadline and not all(tracker.visible(pk, kind) for kind in pages):
            gevent.sleep(POLL_UNTIL_SEEN)
        for kind in pages:
            if not tracker.visible(pk, kind):
                missed[kind] = missed.get(kind, 0) + 1

    def watcher(self, pk: int, kind: str, path: str, since: float):
        while True:
            response, started, finished = fetch(self.reader, path, f"watch: {kind}")
            tracker.seen(pk, kind, path, response.text or "", started, finished)
            seen = tracker.visible(pk, kind)
            if not seen and finished > since + VISIBLE_TIMEOUT:
                return
            gevent.sleep(POLL_AFTER_SEEN if seen else POLL_UNTIL_SEEN)


def story_pk(location: str) -> int | None:
    """The story's id in the desk's redirect after a save ("Save and continue")."""
    parts = urlsplit(location).path.rstrip("/").split("/")
    if len(parts) >= 2 and parts[-1] == "change" and parts[-2].isdigit():
        return int(parts[-2])
    return None


def form_fields(html: str, *, headline: str, new: bool, region: int) -> list[tuple[str, str]]:
    """What a browser sends for the story form, with the new headline and the button pressed."""
    document = lxml.html.fromstring(html)
    form = document.get_element_by_id("article_form")
    fields = [(name, value) for name, value in form.form_values() if name != "headline"]
    fields.append(("headline", headline))
    fields.append(("_continue", "1"))
    if new:
        fields = [(name, value) for name, value in fields if name not in {"lead", "body", "region"}]
        fields += [
            ("lead", "Подробности уточняются; материал дополняется."),
            ("body", "<p>Редакция публикует первые сведения и дополнит материал.</p>"),
            ("region", str(region)),
            ("_transition", "publish"),
        ]
    return fields


def form_errors(response) -> str:
    try:
        document = lxml.html.fromstring(response.text or "<p></p>")
    except (ValueError, lxml.etree.ParserError):
        return ""
    errors = document.xpath("//*[contains(@class, 'errornote') or contains(@class, 'errorlist')]")
    return " | ".join(" ".join(e.text_content().split()) for e in errors)[:300]
