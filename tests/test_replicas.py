"""Read replicas (newsroom/dbrouters.py): public pages read a replica; writes, the desk and a
client that just wrote use the primary.

The behaviour is shown with a real second PostgreSQL database standing in for a replica: a copy
of the test database in which the story's headline differs, so every page says which database it
was read from. On SQLite (no second server to stand in) those tests are skipped; the PostgreSQL
run is the one that proves them.
"""

import copy
import datetime
import time

import psycopg2
import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from articles.caching import purges
from articles.models import Article, Photo
from newsroom.dbrouters import RECENT_WRITE_COOKIE, PrimaryReplicaRouter
from tests.desk import story_data
from tests.factories import ArticleFactory
from tests.test_caching import queued_purges
from tests.test_settings import PRODUCTION, load

ALIAS = "replica_under_test"
ON_PRIMARY = "Пожар на складе потушен"
ON_REPLICA = "Пожар на складе (копия реплики)"


ON_POSTGRESQL = "postgresql" in django_settings.DATABASES["default"]["ENGINE"]


def on_a_replica(test):
    """A test of the replica: skipped on SQLite, and allowed to query the replica's alias."""
    test = pytest.mark.django_db(transaction=True, databases=["default", ALIAS])(test)
    reason = "needs PostgreSQL: a second database stands in for the replica"
    return pytest.mark.skipif(not ON_POSTGRESQL, reason=reason)(test)


class Replica:
    """A copy of the test database under an alias of its own, routed to as the one replica."""

    def __init__(self):
        self.primary = connections["default"].settings_dict
        self.name = f"{self.primary['NAME']}_replica"

    def _server(self, sql: str) -> None:
        server = psycopg2.connect(
            host=self.primary["HOST"] or None,
            port=self.primary["PORT"] or None,
            user=self.primary["USER"] or None,
            password=self.primary["PASSWORD"] or None,
            dbname="postgres",
        )
        server.autocommit = True
        try:
            server.cursor().execute(sql)
        finally:
            server.close()

    def register(self) -> None:
        # A mirror to the test framework, as settings.py makes every replica: it neither creates
        # nor flushes it (this test makes and drops its own copies).
        connections.settings[ALIAS] = copy.deepcopy(self.primary) | {
            "NAME": self.name,
            "TEST": {**self.primary["TEST"], "MIRROR": "default"},
        }

    def copy_primary(self) -> None:
        """Take a copy of the primary as it stands, the way a replica starts from a base backup."""
        # A template must have no one connected to it, the test's own connection included.
        connections.close_all()
        self._server(f'DROP DATABASE IF EXISTS "{self.name}"')
        self._server(f'CREATE DATABASE "{self.name}" TEMPLATE "{self.primary["NAME"]}"')

    def execute(self, sql: str, params: list) -> None:
        with connections[ALIAS].cursor() as cursor:
            cursor.execute(sql, params)

    def unregister(self) -> None:
        connections[ALIAS].close()
        del connections[ALIAS]
        del connections.settings[ALIAS]
        self._server(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture(scope="module", autouse=True)
def _replica_alias(django_db_setup, django_db_blocker):
    """The alias exists before each test starts, as the test framework checks its databases."""
    if not ON_POSTGRESQL:
        yield None
        return
    replica = Replica()
    replica.register()
    yield replica
    with django_db_blocker.unblock():
        replica.unregister()


@pytest.fixture
def replica(_replica_alias, settings):
    settings.DATABASE_REPLICAS = [ALIAS]
    settings.DATABASE_PRIMARY_AFTER_WRITE_SECONDS = 2
    return _replica_alias


@pytest.fixture
def story(replica):
    """A published story whose headline on the replica is not the primary's."""
    article = ArticleFactory(headline=ON_PRIMARY)
    replica.copy_primary()
    replica.execute(
        "UPDATE articles_article SET headline = %s WHERE id = %s", [ON_REPLICA, article.pk]
    )
    return article


def headline_on(response) -> str:
    text = response.content.decode()
    assert response.status_code == 200
    found = [headline for headline in (ON_PRIMARY, ON_REPLICA) if headline in text]
    assert len(found) == 1, found
    return found[0]


@on_a_replica
def test_a_reader_of_a_public_page_is_served_from_the_replica(client, story):
    response = client.get(story.get_absolute_url())
    assert headline_on(response) == ON_REPLICA
    # Still one answer for every reader: no cookie, kept by shared caches.
    assert not response.cookies
    assert "s-maxage=" in response["Cache-Control"]
    assert headline_on(client.get(reverse("articles:home"))) == ON_REPLICA


@on_a_replica
def test_the_desk_and_a_signed_in_reader_use_the_primary(client, story, admin_user):
    client.force_login(admin_user)
    change = client.get(reverse("admin:articles_article_change", args=[story.pk]))
    assert ON_PRIMARY in change.content.decode()
    assert ON_REPLICA not in change.content.decode()
    assert headline_on(client.get(story.get_absolute_url())) == ON_PRIMARY


@on_a_replica
def test_an_editor_who_saved_reads_the_primary_for_a_while_even_signed_out(
    client, story, admin_user
):
    client.force_login(admin_user)
    url = reverse("admin:articles_article_change", args=[story.pk])
    saved = client.post(url, story_data(story, headline="Пожар потушен: новые подробности"))
    assert saved.status_code == 302
    assert RECENT_WRITE_COOKIE in saved.cookies
    client.post(reverse("admin:logout"))
    assert not client.cookies["sessionid"].value  # signed out

    page = client.get(story.get_absolute_url()).content.decode()
    assert "Пожар потушен: новые подробности" in page  # the primary, not the replica's copy
    time.sleep(2.1)  # DATABASE_PRIMARY_AFTER_WRITE_SECONDS later the replica has caught up
    assert headline_on(client.get(story.get_absolute_url())) == ON_REPLICA


@on_a_replica
def test_a_cookie_not_signed_by_the_site_keeps_nobody_on_the_primary(client, story):
    client.cookies[RECENT_WRITE_COOKIE] = "1"
    assert headline_on(client.get(story.get_absolute_url())) == ON_REPLICA


@on_a_replica
def test_work_outside_a_request_reads_the_primary(story):
    # The task worker and management commands: no request, no replica.
    story.refresh_from_db()
    assert story.headline == ON_PRIMARY


# The router and its settings, on either database --------------------------------------------


def test_migrations_run_on_the_primary_alone():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate("default", "articles") is True
    assert router.allow_migrate("replica1", "articles") is False
    assert router.db_for_write(None) == "default"
    assert router.db_for_read(None) is None  # outside a request: Django's default, the primary


@pytest.mark.django_db
def test_with_replicas_a_purge_is_sent_again_once_they_have_caught_up(settings):
    settings.EDGE_PURGE_URLS = ["http://127.0.0.1:9/"]
    settings.DATABASE_PRIMARY_AFTER_WRITE_SECONDS = 10
    soon = timezone.now() + datetime.timedelta(minutes=1)  # an undelayed task has no such time
    purges.purge(["story-1"])
    assert queued_purges().count() == 1
    assert not queued_purges().filter(run_after__lt=soon).exists()

    settings.DATABASE_REPLICAS = ["replica1"]
    purges.purge(["story-2"])
    assert queued_purges().count() == 3
    (again,) = queued_purges().filter(run_after__lt=soon)
    assert again.args_kwargs["kwargs"]["keys"] == ["story-2"]
    assert 8 < (again.run_after - timezone.now()).total_seconds() <= 10


def test_objects_from_the_primary_and_a_replica_may_be_related(settings):
    settings.DATABASE_REPLICAS = ["replica1"]
    story, photo = Article(), Photo()
    story._state.db, photo._state.db = "default", "replica1"
    assert PrimaryReplicaRouter().allow_relation(story, photo) is True
    photo._state.db = "archive"  # a database of another data set: Django's own rule decides
    assert PrimaryReplicaRouter().allow_relation(story, photo) is None


def test_each_replica_url_becomes_a_mirror_of_the_primary_in_tests(monkeypatch):
    loaded = load(
        monkeypatch,
        **PRODUCTION,
        DATABASE_URL="postgres://app@db-primary:5432/news",
        DATABASE_REPLICA_URLS="postgres://app@db-r1:5432/news, postgres://app@db-r2:5432/news",
    )
    assert loaded["DATABASE_REPLICAS"] == ["replica1", "replica2"]
    for alias, host in (("replica1", "db-r1"), ("replica2", "db-r2")):
        replica = loaded["DATABASES"][alias]
        assert replica["HOST"] == host
        assert replica["TEST"] == {"MIRROR": "default"}
        # Built by the same function as the primary: the same connection options.
        assert replica["CONN_MAX_AGE"] == loaded["DATABASES"]["default"]["CONN_MAX_AGE"]
        assert replica.get("OPTIONS") == loaded["DATABASES"]["default"].get("OPTIONS")


def test_a_replica_of_another_kind_of_database_stops_the_process(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_REPLICA_URLS"):
        load(
            monkeypatch,
            **PRODUCTION,
            DATABASE_URL="postgres://app@db-primary:5432/news",
            DATABASE_REPLICA_URLS="sqlite:///elsewhere.sqlite3",
        )
