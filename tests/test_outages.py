"""When the database stops or hangs, the site answers a 503 page in its design within 2 s, and
recovers by itself when the database returns; an editor's save says where the text is.

Each test breaks a real service on this machine: a closed port, a listener that never answers, a
proxy to the real PostgreSQL that is cut and restored. The site runs as in production, in a
gunicorn of its own (tests/outages.py), so the connection settings apply as they would there.
"""

import re
import time
import urllib.parse
from http.cookies import SimpleCookie

import pytest
from django.db import connection

from tests.factories import ArticleFactory
from tests.outages import SilentListener, TcpProxy, app_server, closed_port
from tests.test_settings import PRODUCTION, load

OUTAGE_SECONDS = 2.0  # what a reader waits at most for the 503 page
PAGES = ["/", "/kaliningrad/", "/no-such-page/at-all/", "/search/?q=пожар", "/feeds/rss/"]
# A signed-in editor's browser: its session is in the database.
SESSION = {"Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz012345"}


def assert_outage_page(answer, *, desk=False):
    assert answer.status == 503, answer.body[:500]
    assert answer.headers["Retry-After"] == "30"
    # Never kept as fresh by a browser or a shared cache (the edge serves its stale copy).
    assert "no-store" in answer.headers["Cache-Control"]
    assert "Traceback" not in answer.body
    if desk:
        assert "База данных редакции не отвечает" in answer.body
    else:
        assert "Сайт временно недоступен" in answer.body
        assert 'href="/static/css/site.css"' in answer.body  # the site's design
    assert answer.seconds < OUTAGE_SECONDS, f"{answer.seconds:.2f} s"


@pytest.mark.parametrize(
    "url",
    [
        pytest.param(lambda: f"postgres://postgres@127.0.0.1:{closed_port()}/newsroom", id="pg"),
        # SQLite's equivalent: its file cannot be opened.
        pytest.param(lambda: "sqlite:////nonexistent-outage-dir/db.sqlite3", id="sqlite"),
    ],
)
def test_with_the_database_unreachable_every_public_page_is_the_503_page(tmp_path, url):
    with app_server(tmp_path, DATABASE_URL=url()) as server:
        for path in PAGES:
            assert_outage_page(server.get(urllib.parse.quote(path, safe="/?=")))
        desk = server.get("/admin/articles/article/1/change/", headers=SESSION)
        assert_outage_page(desk, desk=True)


def test_with_postgresql_hanging_every_page_is_the_503_page_within_two_seconds(tmp_path):
    with SilentListener() as hung:
        url = f"postgres://postgres@127.0.0.1:{hung.port}/newsroom"
        with app_server(tmp_path, DATABASE_URL=url, DATABASE_RECONNECT_SECONDS="1") as server:
            first = server.get("/")
            assert_outage_page(first)
            # The connect timeout (1 s) is what the first reader waits; the next ones, while the
            # process pauses before trying again, wait for nothing.
            assert first.seconds >= 0.9
            assert_outage_page(server.get("/no-such-page/"))
            # A desk request touches the database several times; one timeout is all it costs.
            time.sleep(1.1)
            desk = server.get("/admin/articles/article/", headers=SESSION)
            assert_outage_page(desk, desk=True)
            ready = server.get("/readyz")
            assert ready.status == 503
            assert "database: fails" in ready.body
            assert ready.seconds < OUTAGE_SECONDS
            assert server.get("/healthz").status == 200
        # Logged once with its traceback, not once per request.
        assert server.logged().count("Service Unavailable: ") == 1, server.logged()


def _form_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="(csrfmiddlewaretoken|edit_token)" value="([^"]+)"', html))


class _Browser:
    """Cookies kept between requests to one server, as a browser keeps them."""

    def __init__(self, server):
        self.server = server
        self.cookies = SimpleCookie()

    def request(self, path, data=None):
        headers = {"Cookie": "; ".join(f"{k}={v.value}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.server.port}"
        answer = self.server.get(path, "POST" if data is not None else "GET", body, headers)
        for name, value in answer.headers.items():
            if name.lower() == "set-cookie":
                self.cookies.load(value)
        return answer


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the real PostgreSQL (DATABASE_URL) is cut"
)
@pytest.mark.django_db(transaction=True)
def test_a_save_during_an_outage_says_where_the_text_is_and_the_site_recovers(tmp_path, settings):
    # The server hashes passwords as production does.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("chief", "chief@example.ru", "outage-password-1")
    story = ArticleFactory(headline="Пожар в порту", draft=True)
    database = connection.settings_dict
    with TcpProxy(database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432)) as proxy:
        url = f"postgres://{database['USER']}@127.0.0.1:{proxy.port}/{database['NAME']}"
        with app_server(tmp_path, DATABASE_URL=url, CONN_MAX_AGE="60") as server:
            desk = _Browser(server)
            login = desk.request("/admin/login/")
            fields = _form_fields(login.body)
            signed_in = desk.request(
                "/admin/login/?next=/admin/",
                {**fields, "username": "chief", "password": "outage-password-1", "next": "/admin/"},
            )
            assert signed_in.status == 302, signed_in.body[:300]
            change = f"/admin/articles/article/{story.pk}/change/"
            form = desk.request(change)
            assert form.status == 200
            assert "Пожар в порту" in form.body

            proxy.cut()  # the database server is gone, with the app's open connection
            data = {
                **_form_fields(form.body),
                "headline": "Пожар в порту потушен",
                "lead": "Текст, который редактор набирал десять минут",
                "region": story.region_id,
                "body": "<p>Тело</p>",
                "_continue": "1",
            }
            refused = desk.request(change, data)
            assert_outage_page(refused, desk=True)
            assert "Ваш текст остался в этом браузере" in refused.body
            assert_outage_page(server.get("/"))

            proxy.restore()
            deadline = time.monotonic() + 10
            while (answer := server.get("/")).status != 200 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert answer.status == 200, "the site did not recover when the database returned"
            # The session outlived the outage: the editor opens the story again and saves.
            reopened = desk.request(change)
            assert reopened.status == 200
            assert "Пожар в порту" in reopened.body


def test_every_postgresql_entry_gets_the_timeouts_from_the_environment(monkeypatch):
    built = load(
        monkeypatch,
        **PRODUCTION,
        DATABASE_URL="postgres://news@db.internal:5432/news",
        DATABASE_CONNECT_TIMEOUT="2",
        DATABASE_STATEMENT_TIMEOUT="15",
    )
    entry = built["DATABASES"]["default"]
    assert entry["ENGINE"] == "newsroom.db.postgresql"
    assert entry["OPTIONS"]["connect_timeout"] == 2
    assert entry["OPTIONS"]["options"] == "-c statement_timeout=15000"
    assert entry["CONN_HEALTH_CHECKS"] is True
    # A replica's entry gets them the same way, its own options kept.
    replica = {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {"options": "-c work_mem=8MB"}}
    options = built["database_options"](replica)["OPTIONS"]
    assert options["options"] == "-c work_mem=8MB -c statement_timeout=15000"
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "news.sqlite3"}
    assert built["database_options"](sqlite) == sqlite


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own settings")
@pytest.mark.django_db
def test_a_postgresql_connection_has_the_statement_timeout_and_migrations_lift_it():
    from django.db import connections

    from newsroom.db import lift_statement_timeout

    fresh = connections.create_connection(connection.alias)  # as a request's would be made
    try:
        with fresh.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "10s"
            assert fresh.connection.get_dsn_parameters()["connect_timeout"] == "1"
    finally:
        fresh.close()
    # In the test's transaction, which takes the SET back with it.
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '10s'")
        lift_statement_timeout(using=connection.alias)
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


def test_an_outage_is_logged_once_a_minute_with_how_many_answers_it_cost():
    import logging

    from django.db import OperationalError

    from newsroom.errors import OUTAGE_LOG_SECONDS, OutageLogFilter

    def failed_page():
        try:
            raise OperationalError("connection refused")
        except OperationalError as error:
            return logging.LogRecord(
                "django.request",
                logging.ERROR,
                __file__,
                1,
                "Service Unavailable: %s",
                ("/",),
                (type(error), error, error.__traceback__),
            )

    outage = OutageLogFilter()
    assert outage.filter(failed_page())
    assert not outage.filter(failed_page())
    assert not outage.filter(failed_page())
    outage.logged_at -= OUTAGE_LOG_SECONDS  # a minute later
    reported = failed_page()
    assert outage.filter(reported)
    assert reported.getMessage() == (
        "Service Unavailable: / (and 2 more such answers since the last report)"
    )
    other = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Boom", (), None)
    assert outage.filter(other) and outage.filter(other)
