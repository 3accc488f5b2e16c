"""IndexNow pings: queued by desk actions after commit, sent by the worker to local endpoints."""

import datetime
import io
import json
import runpy
import threading
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from articles.indexnow import IndexNowError, ping_indexnow
from articles.models import Article
from newsroom import settings as base_settings
from tests.desk import article_form_data, publication, story_data
from tests.factories import ArticleFactory, RegionFactory
from tests.peers import Peer, QuietHandler
from tests.tasks import run_worker

pytestmark = pytest.mark.django_db

KEY = "3f8a1c2e9b7d4a6f"
SITE = "https://news.example.ru"


class Endpoint(Peer):
    """A local IndexNow endpoint: records every POST and answers from a script, then 200.

    An answer is an HTTP status (a redirect points back here), or "hang": hold the connection past
    the client's timeout.
    """

    def __init__(self):
        self.requests = []
        self.answers = []
        self.released = threading.Event()
        endpoint = self

        class Handler(QuietHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                endpoint.requests.append(
                    {
                        "path": self.path,
                        "content_type": self.headers["Content-Type"],
                        "json": json.loads(body),
                    }
                )
                answer = endpoint.answers.pop(0) if endpoint.answers else 200
                if answer == "hang":
                    endpoint.released.wait(timeout=10)
                    return
                redirect = {"Location": endpoint.url} if 300 <= answer < 400 else {}
                self.answer(answer, **redirect)

        super().__init__(Handler, "/indexnow")

    def stop(self):
        self.released.set()
        super().stop()


@pytest.fixture
def start_endpoint():
    started = []

    def start():
        started.append(Endpoint())
        return started[-1]

    yield start
    for endpoint in started:
        endpoint.stop()


@pytest.fixture
def endpoint(start_endpoint, settings):
    """One local endpoint, with IndexNow switched on and pointed at it."""
    endpoint = start_endpoint()
    settings.INDEXNOW_ENABLED = True
    settings.INDEXNOW_KEY = KEY
    settings.INDEXNOW_ENDPOINTS = [endpoint.url]
    settings.INDEXNOW_TIMEOUT = 0.5
    settings.INDEXNOW_MAX_ATTEMPTS = 3
    settings.INDEXNOW_RETRY_DELAY = 60
    settings.SITE_URL = SITE
    return endpoint


def clock_at(moment):
    """The site's and the worker's clock, moved to `moment`."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def in_future(**delta):
    return (timezone.now() + datetime.timedelta(**delta)).replace(microsecond=0)


def publish_in_admin(client, capture, when=None, **fields):
    """A new story saved as published in the desk (now, or at `when`), its commit hooks run."""
    region = RegionFactory()
    data = article_form_data(region, _transition="publish", **fields)
    if when is not None:
        # The add form reads times on the clock of the region chosen in it.
        data.update(publication(when, region.time_zone))
    with capture(execute=True):
        response = client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Article.objects.get(region=region)


def change_in_admin(client, capture, article, **fields):
    """The story's change form saved with `fields` changed; the form reads the region's clock."""
    data = story_data(article, **fields)
    with capture(execute=True) as callbacks:
        response = client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return callbacks


def expected_ping(article):
    return {
        "path": "/indexnow",
        "content_type": "application/json; charset=utf-8",
        "json": {
            "host": "news.example.ru",
            "key": KEY,
            "keyLocation": f"{SITE}/{KEY}.txt",
            "urlList": [SITE + article.get_absolute_url()],
        },
    }


def test_publishing_in_the_admin_queues_one_ping_after_commit(
    admin_client, endpoint, django_capture_on_commit_callbacks
):
    region = RegionFactory()
    data = article_form_data(region, _transition="publish")
    with django_capture_on_commit_callbacks() as callbacks:
        admin_client.post(reverse("admin:articles_article_add"), data)
        assert not DBTaskResult.objects.exists()
    for callback in callbacks:
        callback()

    article = Article.objects.get(region=region)
    task = DBTaskResult.objects.get()
    assert task.task_path == "articles.indexnow.ping_indexnow"
    assert task.run_after == article.published_at
    assert task.args_kwargs["kwargs"]["article_id"] == article.pk
    assert endpoint.requests == []


def test_worker_posts_the_story_url_as_indexnow_json(
    admin_client, endpoint, django_capture_on_commit_callbacks
):
    article = publish_in_admin(admin_client, django_capture_on_commit_callbacks)

    run_worker()

    assert endpoint.requests == [expected_ping(article)]
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


def test_nothing_is_queued_when_indexnow_is_off(admin_client, django_capture_on_commit_callbacks):
    publish_in_admin(admin_client, django_capture_on_commit_callbacks)

    assert not DBTaskResult.objects.exists()


def test_stories_saved_outside_the_desk_queue_nothing(endpoint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "seed_demo",
            articles=20,
            photos=1,
            photo_width=64,
            with_demo_accounts=True,  # tests run with DEBUG off, as a production server does
            stdout=io.StringIO(),
        )
        ArticleFactory()

    assert Article.objects.published().count() > 10
    assert not DBTaskResult.objects.exists()


def test_editing_a_published_story_queues_no_second_ping(
    admin_client, endpoint, django_capture_on_commit_callbacks
):
    article = ArticleFactory()  # published "now", to the microsecond the form will drop

    callbacks = change_in_admin(
        admin_client, django_capture_on_commit_callbacks, article, lead="Уточнённая подводка."
    )

    assert callbacks == []
    assert not DBTaskResult.objects.exists()


def test_scheduled_story_is_pinged_at_its_publication_time(
    admin_client, endpoint, django_capture_on_commit_callbacks
):
    due = in_future(hours=3)
    article = publish_in_admin(admin_client, django_capture_on_commit_callbacks, when=due)
    assert article.published_at == due
    assert DBTaskResult.objects.get().run_after == due

    run_worker()
    assert endpoint.requests == []

    with clock_at(due + datetime.timedelta(seconds=1)):
        run_worker()
    assert endpoint.requests == [expected_ping(article)]


def test_story_unpublished_before_it_is_due_is_not_pinged(
    admin_client, endpoint, django_capture_on_commit_callbacks
):
    due = in_future(hours=3)
    article = publish_in_admin(admin_client, django_capture_on_commit_callbacks, when=due)
    change_in_admin(
        admin_client, django_capture_on_commit_callbacks, article, _transition="unpublish"
    )

    with clock_at(due + datetime.timedelta(seconds=1)):
        run_worker()

    assert endpoint.requests == []
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


def test_rescheduled_story_is_pinged_once_at_its_new_time(
    admin_client, endpoint, django_capture_on_commit_callbacks
):
    first, second = in_future(hours=3), in_future(hours=5)
    article = publish_in_admin(admin_client, django_capture_on_commit_callbacks, when=first)
    change_in_admin(
        admin_client,
        django_capture_on_commit_callbacks,
        article,
        **publication(second, article.region.time_zone),
    )
    assert sorted(DBTaskResult.objects.values_list("run_after", flat=True)) == [first, second]

    with clock_at(first + datetime.timedelta(seconds=1)):
        run_worker()
    assert endpoint.requests == []

    with clock_at(second + datetime.timedelta(seconds=1)):
        run_worker()
    assert len(endpoint.requests) == 1


def test_ping_carries_the_url_the_story_has_when_it_is_sent(
    admin_client, endpoint, django_capture_on_commit_callbacks
):
    article = publish_in_admin(admin_client, django_capture_on_commit_callbacks)
    Article.objects.filter(pk=article.pk).update(slug="novyi-zagolovok")

    run_worker()

    assert endpoint.requests[0]["json"]["urlList"] == [
        f"{SITE}/{article.region.slug}/{article.pk}-novyi-zagolovok/"
    ]


def test_server_error_is_retried_after_a_backoff_then_succeeds(
    admin_client, endpoint, django_capture_on_commit_callbacks
):
    endpoint.answers = [500, 200]
    article = publish_in_admin(admin_client, django_capture_on_commit_callbacks)

    before = timezone.now()
    run_worker()
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert len(endpoint.requests) == 1
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.run_after >= before + datetime.timedelta(seconds=60)

    with clock_at(retry.run_after + datetime.timedelta(seconds=1)):
        run_worker()

    assert endpoint.requests == [expected_ping(article)] * 2
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {
        TaskResultStatus.SUCCESSFUL
    }


@pytest.mark.parametrize("answer", [429, 503, "hang"])
def test_rate_limit_server_error_and_timeout_are_retried(
    admin_client, endpoint, django_capture_on_commit_callbacks, answer
):
    endpoint.answers = [answer]
    publish_in_admin(admin_client, django_capture_on_commit_callbacks)

    run_worker()

    assert len(endpoint.requests) == 1
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1


@pytest.mark.parametrize("answer", [301, 400, 403, 422])
def test_refusal_is_not_retried_and_fails_the_task(
    admin_client, endpoint, django_capture_on_commit_callbacks, answer
):
    endpoint.answers = [answer]
    publish_in_admin(admin_client, django_capture_on_commit_callbacks)

    run_worker()

    assert len(endpoint.requests) == 1
    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == "articles.indexnow.IndexNowError"


def test_last_attempt_gives_up(endpoint):
    endpoint.answers = [500]
    article = ArticleFactory()

    with pytest.raises(IndexNowError, match="500"):
        ping_indexnow.call(article_id=article.pk, attempt=3)

    assert len(endpoint.requests) == 1
    assert not DBTaskResult.objects.exists()


def test_every_endpoint_is_notified_and_only_the_failed_one_retried(
    admin_client, endpoint, start_endpoint, settings, django_capture_on_commit_callbacks
):
    other = start_endpoint()
    other.answers = [500]
    settings.INDEXNOW_ENDPOINTS = [endpoint.url, other.url]
    article = publish_in_admin(admin_client, django_capture_on_commit_callbacks)

    run_worker()
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.args_kwargs["kwargs"]["endpoints"] == [other.url]

    with clock_at(retry.run_after + datetime.timedelta(seconds=1)):
        run_worker()

    assert endpoint.requests == [expected_ping(article)]
    assert other.requests == [expected_ping(article)] * 2


def test_key_file_is_served_as_plain_text(client, endpoint):
    response = client.get(f"/{KEY}.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == KEY


def test_key_file_of_another_key_is_not_found(client, endpoint):
    assert client.get("/0000000000000000.txt").status_code == 404


def test_key_file_is_not_found_when_indexnow_is_off(client, settings):
    settings.INDEXNOW_KEY = KEY

    assert client.get(f"/{KEY}.txt").status_code == 404


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"INDEXNOW_KEY": ""}, "INDEXNOW_KEY"),
        ({"INDEXNOW_KEY": "short"}, "INDEXNOW_KEY"),
        ({"INDEXNOW_KEY": "../../etc/passwd"}, "INDEXNOW_KEY"),
        ({"INDEXNOW_KEY": KEY, "INDEXNOW_ENDPOINTS": ","}, "INDEXNOW_ENDPOINTS"),
        ({"INDEXNOW_KEY": KEY, "INDEXNOW_ENDPOINTS": "file:///etc/passwd"}, "INDEXNOW_ENDPOINTS"),
    ],
)
def test_settings_refuse_a_bad_indexnow_configuration(monkeypatch, environment, message):
    monkeypatch.setenv("INDEXNOW_ENABLED", "1")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(ImproperlyConfigured, match=message):
        runpy.run_path(base_settings.__file__)
