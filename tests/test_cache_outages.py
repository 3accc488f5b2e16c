"""With Redis unreachable or hanging, every page is still served, from the database, and the
outage is logged once, not per request; when Redis returns, the cache is used again.

Real sockets: a closed port, a listener that never answers, a proxy to the real Redis that is cut
and restored (tests/outages.py). The page cache is on, as in production.
"""

import logging
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from articles.context_processors import NAV_CACHE_KEY
from tests.factories import ArticleFactory, PhotoFactory
from tests.outages import SilentListener, TcpProxy, closed_port
from tests.test_caching import require_redis
from tests.test_settings import PRODUCTION, load

REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 15
pytestmark = pytest.mark.django_db


def use_redis(settings, monkeypatch, port: int) -> None:
    """The cache production builds from CACHE_URL (newsroom/settings.py), on this port."""
    url = f"redis://{REDIS_HOST}:{port}/{REDIS_DB}"
    with monkeypatch.context() as environment:
        settings.CACHES = load(environment, **PRODUCTION, CACHE_URL=url)["CACHES"]
    assert settings.CACHES["default"]["BACKEND"] == "newsroom.cache.ResilientRedisCache"
    settings.PAGE_CACHE_ENABLED = True


@pytest.fixture
def story():
    return ArticleFactory(headline="Паром вышел по расписанию", main_photo=PhotoFactory())


def pages(story) -> list[str]:
    """Pages that read the cache: the page cache, the region navigation, enclosure sizes."""
    return [
        reverse("articles:home"),
        story.region.get_absolute_url(),
        story.get_absolute_url(),
        reverse("articles:site_feed"),
        reverse("articles:search") + "?q=паром",
        "/no-such-page/",
    ]


def read_all(client, story) -> list[float]:
    """Each page once; the seconds each took. Every one is what the database makes."""
    took = []
    for path in pages(story):
        started = time.monotonic()
        response = client.get(path)
        took.append(time.monotonic() - started)
        assert response.status_code == (404 if path == "/no-such-page/" else 200), path
    return took


def outage_messages(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "newsroom.cache"]


def test_with_redis_unreachable_pages_come_from_the_database_logged_once(
    client, settings, monkeypatch, caplog, story
):
    port = closed_port()
    use_redis(settings, monkeypatch, port)
    caplog.set_level(logging.WARNING, logger="newsroom.cache")
    for _ in range(3):
        read_all(client, story)
    messages = outage_messages(caplog)
    assert len(messages) == 1, messages
    assert messages[0].startswith(f"Cache 127.0.0.1:{port}/15 does not answer (")
    assert "Паром вышел по расписанию" in client.get(story.get_absolute_url()).text


def test_with_redis_hanging_one_timeout_is_paid_not_one_per_call(
    client, settings, monkeypatch, caplog, story
):
    caplog.set_level(logging.WARNING, logger="newsroom.cache")
    with SilentListener() as hung:
        use_redis(settings, monkeypatch, hung.port)
        took = read_all(client, story) + read_all(client, story)
        # One connection, one timeout (0.25 s): for the next CACHE_RETRY_SECONDS no call waits.
        assert len(hung.connections) == 1
    assert sum(took) < 2.0, took
    assert len(outage_messages(caplog)) == 1


def test_when_redis_returns_the_cache_is_used_again(client, settings, monkeypatch, caplog, story):
    require_redis()  # the real Redis is what the proxy stands in front of
    settings.CACHE_RETRY_SECONDS = 1
    caplog.set_level(logging.WARNING, logger="newsroom.cache")
    with TcpProxy(REDIS_HOST, REDIS_PORT) as proxy:
        use_redis(settings, monkeypatch, proxy.port)
        cache.clear()
        read_all(client, story)
        assert cache.get(NAV_CACHE_KEY)  # the navigation came from Redis's copy

        proxy.cut()
        read_all(client, story)
        assert cache.get(NAV_CACHE_KEY) is None  # a miss, not an error

        proxy.restore()
        time.sleep(settings.CACHE_RETRY_SECONDS + 0.1)
        read_all(client, story)
        assert cache.get(NAV_CACHE_KEY)
        cache.clear()
    began, ended = outage_messages(caplog)
    assert "does not answer" in began
    assert "answers again" in ended


def test_every_cache_call_shares_one_client_and_its_connections(
    client, settings, monkeypatch, story
):
    require_redis()
    use_redis(settings, monkeypatch, REDIS_PORT)
    cache.clear()
    read_all(client, story)
    read_all(client, story)  # page-cache hits
    redis_client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is redis_client
    # Django's own client makes a redis-py client per call; this one, one per server.
    assert len(cache._cache._clients) == 1
    assert len(redis_client.connection_pool._available_connections) <= 1
    cache.clear()
