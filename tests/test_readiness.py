"""The load balancer's probes, and a migration not yet applied: /readyz names it, search says it
is down for now instead of a 500, and the rest of the site goes on."""

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from tests.factories import ArticleFactory
from tests.outages import closed_port
from tests.test_cache_outages import use_redis

pytestmark = pytest.mark.django_db


def test_healthz_answers_whatever_the_host_and_scheme_touching_nothing(
    client, settings, django_assert_num_queries
):
    settings.SECURE_SSL_REDIRECT = True  # a load balancer asks over plain HTTP
    settings.PAGE_CACHE_ENABLED = True
    with django_assert_num_queries(0):
        response = client.get("/healthz", HTTP_HOST="10.0.0.7:8001")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store"
    assert client.head("/healthz", HTTP_HOST="10.0.0.7").status_code == 200


def test_readyz_says_each_part_is_up(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/readyz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200, response.text
    assert response.text == "database: ok\ncache: ok\nmigrations: ok\n"
    assert response["Cache-Control"] == "no-store"


def test_readyz_fails_with_a_migration_not_applied(client):
    latest = MigrationRecorder.Migration.objects.filter(app="articles").latest("id")
    latest.delete()  # as before `manage.py migrate` of a new release
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "database: ok\n" in response.text
    assert "migrations: 1 unapplied\n" in response.text


def test_readyz_fails_without_the_cache(client, settings, monkeypatch):
    use_redis(settings, monkeypatch, closed_port())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "cache: fails" in response.text
    assert "database: ok" in response.text


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="only PostgreSQL's search reads a migration's column"
)
@pytest.mark.django_db(transaction=True)  # as in production: each statement commits on its own
def test_search_says_it_is_down_while_its_migration_is_pending(client):
    ArticleFactory(headline="Пожар на складе потушен")
    assert "складе потушен" in client.get("/search/", {"q": "пожар"}).text
    # The database as it stands before migration 0005 (the search column) is applied.
    rename = "ALTER TABLE articles_article RENAME COLUMN {} TO {}"
    with connection.cursor() as cursor:
        cursor.execute(rename.format("search_vector", "search_vector_pending"))
    try:
        response = client.get("/search/", {"q": "пожар"})
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert response["Cache-Control"] == "no-store"
        assert "Поиск временно не работает" in response.text
        assert "складе потушен" not in response.text
        # The rest of the site does not need the column.
        assert "складе потушен" in client.get("/").text
    finally:
        with connection.cursor() as cursor:
            cursor.execute(rename.format("search_vector_pending", "search_vector"))
