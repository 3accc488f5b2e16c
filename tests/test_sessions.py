"""Desk sessions: secure cookies, an idle timeout, and sessions that end when the password changes
or the person is deactivated (newsroom/middleware.py, articles/accounts.py)."""

import datetime
import runpy
import time

import lxml.html
import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import newsroom.middleware
import newsroom.settings as base_settings
from articles.accounts import end_sessions
from articles.publishing.roles import ADMIN_GROUP
from tests.desk import staff_user
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")
LOGIN = reverse("admin:login")
PASSWORD = "desk-password"  # tests/desk.py's staff_user
MINUTE = datetime.timedelta(minutes=1)


def signed_in(client: Client) -> bool:
    return client.get(INDEX).status_code == 200


def logged_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sessions_of(user) -> int:
    return sum(
        1
        for session in Session.objects.all()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    )


@pytest.fixture
def clock(monkeypatch):
    """The time every session check reads (Django's and the middleware's), moved by hand."""
    offset = datetime.timedelta()
    real_now, real_time = timezone.now, time.time

    class Clock:
        def advance(self, delta: datetime.timedelta) -> None:
            nonlocal offset
            offset += delta

    monkeypatch.setattr(timezone, "now", lambda: real_now() + offset)
    monkeypatch.setattr(
        newsroom.middleware.time, "time", lambda: real_time() + offset.total_seconds()
    )
    return Clock()


# Cookies


def settings_with(monkeypatch, **environment) -> dict:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(base_settings.__file__)


def test_production_cookies_are_secure_and_the_session_lives_the_idle_time(monkeypatch):
    production = settings_with(
        monkeypatch,
        DEBUG="0",
        SECRET_KEY="a-production-secret-key-of-some-length-for-the-test",
        SITE_URL="https://news.example.ru",
        ALLOWED_HOSTS="news.example.ru",
    )
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SESSION_COOKIE_HTTPONLY"]
    assert production["SESSION_COOKIE_AGE"] == 60 * 60
    assert production["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"


def test_the_idle_time_comes_from_the_environment(monkeypatch):
    settings = settings_with(monkeypatch, DEBUG="1", SESSION_IDLE_MINUTES="20")
    assert settings["SESSION_COOKIE_AGE"] == 20 * 60


@pytest.mark.parametrize("value", ["0", "4", "sixty", "-60", "60.5", "99999999"])
def test_a_bad_idle_time_stops_start_up(monkeypatch, value):
    with pytest.raises(ImproperlyConfigured, match="SESSION_IDLE_MINUTES"):
        settings_with(monkeypatch, DEBUG="1", SESSION_IDLE_MINUTES=value)


def test_the_login_cookie_is_secure_http_only_and_lives_the_idle_time(client, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    staff_user("reporter")
    response = client.post(LOGIN, {"username": "reporter", "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == settings.SESSION_COOKIE_AGE == 3600
    assert response.cookies["csrftoken"]["secure"]


# The idle timeout


def test_a_desk_session_ends_after_the_idle_time_and_not_while_work_goes_on(client, clock):
    staff_user("reporter")
    client.post(LOGIN, {"username": "reporter", "password": PASSWORD})

    # Work with pauses shorter than the idle time keeps the session, hour after hour.
    for _ in range(3):
        clock.advance(59 * MINUTE)
        assert signed_in(client)

    clock.advance(61 * MINUTE)
    response = client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN + "?next=")


def test_the_session_is_written_at_most_once_a_minute(client, clock):
    client.force_login(staff_user("reporter"))
    quick = client.get(INDEX)
    assert "sessionid" not in quick.cookies  # a login a moment ago: nothing to renew
    clock.advance(61 * datetime.timedelta(seconds=1))
    renewed = client.get(INDEX)
    assert renewed.cookies["sessionid"]["max-age"] == 3600
    expiry = Session.objects.get().expire_date
    assert expiry > timezone.now() + 59 * MINUTE
    assert "sessionid" not in client.get(INDEX).cookies


def test_reading_the_public_site_neither_touches_nor_prolongs_the_session(client, clock):
    story = ArticleFactory()
    client.force_login(staff_user("reporter"))
    clock.advance(30 * MINUTE)
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    # A signed-in person's answer is theirs alone: no shared cache keeps it (newsroom/middleware).
    assert response["Cache-Control"] == "private, no-store"
    clock.advance(31 * MINUTE)
    assert not signed_in(client)


def test_a_tampered_renewal_stamp_is_renewed_not_an_error(client):
    client.force_login(staff_user("reporter"))
    session = client.session
    session["_desk_renewed_at"] = "yesterday"
    session.save()
    assert signed_in(client)
    session = client.session
    assert isinstance(session["_desk_renewed_at"], int)


# Password changes


def test_changing_ones_password_ends_ones_other_sessions_only(client):
    reporter = staff_user("reporter")
    colleague = staff_user("colleague")
    here, elsewhere = logged_in_client(reporter), logged_in_client(reporter)
    theirs = logged_in_client(colleague)

    response = here.post(
        reverse("admin:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a new long passphrase 4711",
            "new_password2": "a new long passphrase 4711",
        },
    )

    assert response.status_code == 302
    assert signed_in(here)
    assert not signed_in(elsewhere)
    assert signed_in(theirs)


def test_an_admin_changing_someones_password_ends_all_their_sessions(client):
    reporter = staff_user("reporter")
    admin = logged_in_client(staff_user("admin", ADMIN_GROUP))
    theirs = [logged_in_client(reporter), logged_in_client(reporter)]

    response = admin.post(
        reverse("admin:auth_user_password_change", args=[reporter.pk]),
        {
            "password1": "a new long passphrase 4711",
            "password2": "a new long passphrase 4711",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302
    assert not any(signed_in(client) for client in theirs)
    assert signed_in(admin)


# Deactivation


def posted_form(response, form_id: str) -> list[tuple[str, str]]:
    """What the browser would send for the form as the page shows it."""
    page = lxml.html.fromstring(response.content.decode())
    (form,) = page.xpath(f"//form[@id='{form_id}']")
    return list(form.form_values())


def test_deactivating_someone_in_the_desk_ends_their_sessions_for_good():
    reporter = staff_user("reporter")
    colleague = staff_user("colleague")
    admin = logged_in_client(staff_user("admin", ADMIN_GROUP))
    theirs = [logged_in_client(reporter), logged_in_client(reporter)]
    colleagues = logged_in_client(colleague)
    url = reverse("admin:auth_user_change", args=[reporter.pk])

    data = [(k, v) for k, v in posted_form(admin.get(url), "user_form") if k != "is_active"]
    response = admin.post(url, dict_of(data))
    assert response.status_code == 302, response.content.decode()[:2000]

    reporter.refresh_from_db()
    assert not reporter.is_active
    assert sessions_of(reporter) == 0
    # Taken back on, the person signs in afresh: the old browsers are not let back in.
    reporter.is_active = True
    reporter.save()
    assert not any(signed_in(client) for client in theirs)
    assert signed_in(colleagues) and signed_in(admin)


def dict_of(pairs: list[tuple[str, str]]) -> dict:
    """Form pairs as the test client posts them: repeated names become lists."""
    data: dict = {}
    for key, value in pairs:
        data.setdefault(key, []).append(value)
    return data


def test_end_sessions_deletes_only_that_persons_live_sessions():
    reporter, colleague = staff_user("reporter"), staff_user("colleague")
    logged_in_client(reporter), logged_in_client(reporter), logged_in_client(colleague)
    Session.objects.create(
        session_key="x" * 32,
        session_data="not a session at all",
        expire_date=timezone.now() + MINUTE,
    )

    assert end_sessions(reporter) == 2
    assert sessions_of(reporter) == 0 and sessions_of(colleague) == 1
    assert end_sessions(reporter) == 0


def test_saving_an_active_person_keeps_their_sessions():
    reporter = staff_user("reporter")
    client = logged_in_client(reporter)
    reporter.first_name = "Ирина"
    reporter.save()
    assert signed_in(client)
