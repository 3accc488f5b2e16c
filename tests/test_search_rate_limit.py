"""Search is rate-limited per client address (articles/ratelimit.py): past SEARCH_RATE_LIMIT an
address gets the site's 429 page with Retry-After, other addresses search on, and the window's end
lets it search again. Counted in local memory and in a real Redis; a cache that fails lets
searches through."""

import socket
import time
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django_ratelimit.core import _get_window

from articles import ratelimit
from tests.factories import ArticleFactory
from tests.test_caching import REDIS_URL, require_redis
from tests.test_settings import PRODUCTION, load

LIMIT = 3
PERIOD = 6
RATE = f"{LIMIT}/{PERIOD}s"
READER = "198.51.100.7"
NEIGHBOUR = "198.51.100.8"

pytestmark = pytest.mark.django_db


def redis_cache(location: str) -> dict:
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": location,
        "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }


@pytest.fixture(params=["locmem", "redis"])
def counting_cache(request, settings):
    """The default cache the limiter counts in: local memory, then a real Redis (database 15)."""
    if request.param == "redis":
        require_redis()
        settings.CACHES = {"default": redis_cache(REDIS_URL)}
    settings.SEARCH_RATE_LIMIT = RATE
    yield request.param
    if request.param == "redis":
        from django.core.cache import cache

        cache.clear()  # this test's prefix alone


def search(client, words: str, address: str, **headers):
    return client.get(reverse("articles:search"), {"q": words}, REMOTE_ADDR=address, **headers)


def fresh_window(address: str) -> None:
    """Wait, if need be, until the address's window has time for a burst: windows are fixed."""
    # The window counts the whole seconds up to and including its last one.
    left = _get_window(address, PERIOD) + 1 - time.time()
    if left < 2:
        time.sleep(left + 0.1)


def test_an_address_past_the_limit_waits_while_others_search_on(client, counting_cache):
    ArticleFactory(headline="Пожар на складе")
    fresh_window(READER)
    for n in range(LIMIT):
        assert search(client, f"пожар {n}", READER).status_code == 200

    refused = search(client, "пожар ещё", READER)
    assert refused.status_code == 429
    wait = int(refused["Retry-After"])
    assert 1 <= wait <= PERIOD
    page = refused.content.decode()
    assert "Слишком много запросов" in page
    assert f"Повторите поиск через {wait} с." in page
    assert 'class="site-header' in page or "<header" in page  # the site's own design
    assert refused["Cache-Control"] == "private, no-store"

    assert search(client, "пожар", NEIGHBOUR).status_code == 200
    time.sleep(wait + 0.2)
    assert search(client, "пожар", READER).status_code == 200


def test_the_empty_search_form_is_not_counted(client, settings):
    settings.SEARCH_RATE_LIMIT = RATE
    fresh_window(READER)
    for _ in range(LIMIT * 2):
        assert client.get(reverse("articles:search"), REMOTE_ADDR=READER).status_code == 200
    assert search(client, "пожар", READER).status_code == 200


def test_behind_a_proxy_the_address_it_saw_is_counted_not_one_the_client_wrote(client, settings):
    settings.SEARCH_RATE_LIMIT = RATE
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    fresh_window(READER)
    for n in range(LIMIT):
        # A new made-up address each time, left of the one our proxy appended.
        forged = f"203.0.113.{n}, {READER}"
        assert search(client, f"пожар {n}", proxy, HTTP_X_FORWARDED_FOR=forged).status_code == 200
    assert search(client, "пожар", proxy, HTTP_X_FORWARDED_FOR=READER).status_code == 429
    assert search(client, "пожар", proxy, HTTP_X_FORWARDED_FOR=NEIGHBOUR).status_code == 200


def test_the_refusal_is_kept_by_no_cache(client, settings):
    settings.SEARCH_RATE_LIMIT = RATE
    settings.PAGE_CACHE_ENABLED = True
    fresh_window(READER)
    for n in range(LIMIT):
        assert search(client, f"пожар {n}", READER).status_code == 200
    assert search(client, "наводнение", READER).status_code == 429
    # The same address, asked by another reader: the results page, not the stored refusal.
    answer = search(client, "наводнение", NEIGHBOUR)
    assert answer.status_code == 200
    assert "s-maxage=" in answer["Cache-Control"]


def test_a_cache_that_does_not_answer_lets_searches_through(client, settings, caplog, monkeypatch):
    monkeypatch.setattr(ratelimit, "_failing", False)  # as a process starts
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    # The limiter alone counts in a Redis that is not there.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "limiter": redis_cache(f"redis://127.0.0.1:{port}/15"),
    }
    settings.RATELIMIT_USE_CACHE = "limiter"
    settings.SEARCH_RATE_LIMIT = RATE
    for n in range(LIMIT * 2):
        assert search(client, f"пожар {n}", READER).status_code == 200
    failures = [r for r in caplog.records if "rate limit not counted" in r.getMessage()]
    assert len(failures) == 1  # logged once, not per search


@pytest.mark.parametrize("rate", ["30", "30/minute", "0/m", "-5/m", "30/0m", "тридцать/м"])
def test_a_mistyped_rate_stops_the_process(monkeypatch, rate):
    with pytest.raises(ImproperlyConfigured, match="SEARCH_RATE_LIMIT"):
        load(monkeypatch, **PRODUCTION, SEARCH_RATE_LIMIT=rate)


def test_a_rate_is_read_as_django_ratelimit_writes_it(monkeypatch):
    assert (
        load(monkeypatch, **PRODUCTION, SEARCH_RATE_LIMIT="100/5m")["SEARCH_RATE_LIMIT"] == "100/5m"
    )
    assert load(monkeypatch, **PRODUCTION, SEARCH_RATE_LIMIT="")["SEARCH_RATE_LIMIT"] == "30/m"
