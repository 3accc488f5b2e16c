"""The edge in front of an app whose PostgreSQL is cut: readers get the copy it holds within
stale-if-error, a page it holds no copy of is the app's 503 page with Retry-After, and that 503 is
never kept: once the database is back, the page is served.

deploy/varnish/ in front of the live server, which reaches the real PostgreSQL through a proxy
that is cut and restored (tests/outages.py).
"""

import time

import pytest
from django.db import connection

from tests.factories import ArticleFactory
from tests.outages import database_proxy  # noqa: F401 - the fixture
from tests.test_edge import edge  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the live server's PostgreSQL is cut"
    ),
]


def test_with_the_database_cut_the_edge_serves_its_copy_and_keeps_no_503(
    edge,  # noqa: F811 - the fixture
    database_proxy,  # noqa: F811 - the fixture
    settings,
):
    settings.PUBLIC_CACHE_SECONDS = 1
    settings.PUBLIC_STALE_WHILE_REVALIDATE_SECONDS = 0
    settings.PAGE_CACHE_ENABLED = False  # the app itself must fail, not answer from memory
    kept = ArticleFactory(headline="Эвакуация завершена").get_absolute_url()
    never_seen = ArticleFactory(headline="Мост открыт").get_absolute_url()
    assert edge.get(kept).status == 200
    time.sleep(1.2)  # past its lifetime: only stale-if-error lets the edge answer with it

    database_proxy.cut()
    stale = edge.get(kept)
    assert stale.status == 200 and "Эвакуация завершена" in stale.body
    unavailable = edge.get(never_seen)
    assert unavailable.status == 503
    assert unavailable.getheader("Retry-After") == "30"
    assert "Сайт временно недоступен" in unavailable.body and "Varnish" not in unavailable.body

    database_proxy.restore()
    time.sleep(settings.DATABASE_RECONNECT_SECONDS + 0.2)
    back = edge.get(never_seen)
    assert back.status == 200 and "Мост открыт" in back.body
