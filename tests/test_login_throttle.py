"""Login throttling (django-axes): wrong passwords for one account from one address lock that pair
out for a cool-off; administrators see the lockout in the desk and lift it."""

import datetime
import runpy

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

import newsroom.settings as base_settings
from articles.publishing.roles import ADMIN_GROUP, CHIEF_EDITOR_GROUP
from newsroom.proxies import client_ip
from tests.desk import staff_user

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
INDEX = reverse("admin:index")
LOCKOUTS = reverse("admin:axes_accessattempt_changelist")
PASSWORD = "desk-password"  # tests/desk.py's staff_user
OFFICE = "203.0.113.7"
HOME = "198.51.100.23"
LOCKED_NOTICE = "Вход временно закрыт"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)


@pytest.fixture
def reporter():
    return staff_user("reporter")


def browser_at(address: str, **headers) -> Client:
    return Client(REMOTE_ADDR=address, **headers)


def log_in(client: Client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def signed_in(client: Client) -> bool:
    return client.get(INDEX).status_code == 200


def lock_out(client: Client, username: str, tries: int = 5) -> list[int]:
    return [log_in(client, username, f"wrong-{n}").status_code for n in range(tries)]


def test_thirty_wrong_passwords_then_the_right_one_then_an_admin_lifts_the_lockout(reporter):
    office = browser_at(OFFICE)

    statuses = lock_out(office, "reporter", tries=30)

    # Four ordinary refusals, then the lockout page from the fifth on.
    assert statuses == [200] * 4 + [429] * 26
    attempt = AccessAttempt.objects.get(username="reporter")
    # Tries during the lockout are refused unread and uncounted: the cool-off holds as shown.
    assert (attempt.ip_address, attempt.failures_since_start) == (OFFICE, 5)

    right = log_in(office, "reporter", PASSWORD)
    assert right.status_code == 429
    assert LOCKED_NOTICE in right.content.decode()
    assert not signed_in(office)

    admin = Client()
    admin.force_login(staff_user("admin", ADMIN_GROUP))
    listing = admin.get(LOCKOUTS).content.decode()
    assert "reporter" in listing and OFFICE in listing and "вход закрыт до" in listing
    lifted = admin.post(
        LOCKOUTS,
        {"action": "lift_selected", "_selected_action": [attempt.pk]},
        follow=True,
    )
    assert "Блокировка снята, записей: 1." in lifted.content.decode()
    assert not AccessAttempt.objects.exists()

    assert log_in(office, "reporter", PASSWORD).status_code == 302
    assert signed_in(office)


def test_the_lockout_holds_one_account_at_one_address_only(reporter):
    colleague = staff_user("colleague")
    office = browser_at(OFFICE)
    assert lock_out(office, "reporter")[-1] == 429

    # The same account from home, and a colleague from the same office, log in as usual.
    home = browser_at(HOME)
    assert log_in(home, "reporter", PASSWORD).status_code == 302 and signed_in(home)
    assert log_in(office, "colleague", PASSWORD).status_code == 302 and signed_in(office)
    assert colleague.username == "colleague"


def test_another_browser_at_the_same_address_is_still_locked_out(reporter):
    """The count is of the account and address, whatever the User-Agent says."""
    assert lock_out(browser_at(OFFICE, HTTP_USER_AGENT="Firefox"), "reporter")[-1] == 429
    other = browser_at(OFFICE, HTTP_USER_AGENT="Chromium")
    assert log_in(other, "reporter", PASSWORD).status_code == 429
    assert not signed_in(other)


def test_the_lockout_ends_by_itself_after_the_cool_off(reporter):
    office = browser_at(OFFICE)
    lock_out(office, "reporter")
    long_ago = timezone.now() - datetime.timedelta(minutes=15, seconds=1)
    AccessAttempt.objects.update(attempt_time=long_ago)

    assert log_in(office, "reporter", PASSWORD).status_code == 302
    # A good login wipes the count: the next typo starts again from one.
    assert not AccessAttempt.objects.exists()


def test_fewer_wrong_passwords_than_the_limit_are_forgotten_at_a_good_login(reporter):
    office = browser_at(OFFICE)
    assert lock_out(office, "reporter", tries=4) == [200] * 4
    assert log_in(office, "reporter", PASSWORD).status_code == 302
    office.post(reverse("admin:logout"))
    assert lock_out(office, "reporter", tries=4) == [200] * 4


def test_the_lockout_page_is_the_desks_login_page_in_russian(reporter):
    office = browser_at(OFFICE)
    lock_out(office, "reporter", tries=4)
    response = log_in(office, "reporter", "wrong again", next="/admin/articles/article/")

    assert response.status_code == 429
    # The page says when, in seconds for machines and on the newsroom's clock for people.
    assert 14 * 60 < int(response["Retry-After"]) <= 15 * 60
    page = response.content.decode()
    ends = timezone.localtime(AccessAttempt.objects.get().attempt_time)
    ends += datetime.timedelta(minutes=15)
    assert f"можно будет войти в {ends:%H:%M} (через 15 мин.)" in page
    assert "не подойдёт и верный пароль" in page and "«reporter»" in page
    # The admin's own login page around it: its header, its form, where the person was going.
    assert "Newsroom — редакция" in page and 'id="login-form"' in page
    assert 'name="next" value="/admin/articles/article/"' in page
    assert 'value="reporter"' in page
    assert "Account locked" not in page and "Please try again" not in page


def test_the_lockout_page_escapes_a_hostile_username_and_next():
    hostile = '<script>alert("x")</script>'
    office = browser_at(OFFICE)
    for _ in range(4):
        log_in(office, hostile, "wrong")
    response = log_in(office, hostile, "wrong", next='"><script>alert(1)</script>')
    assert response.status_code == 429
    page = response.content.decode()
    assert "<script>alert" not in page
    assert escape(hostile) in page


@pytest.mark.parametrize(
    "username",
    ["x" * 10_000, "nul\x00byte", "", " ", "REPORTER", "😀" * 50, "%s' OR 1=1 --"],
    ids=["10000-chars", "nul", "empty", "space", "upper-case", "emoji", "sql"],
)
def test_hostile_usernames_are_refused_politely(reporter, username):
    office = browser_at(OFFICE)
    for _ in range(6):
        response = log_in(office, username, "wrong")
        assert response.status_code in (200, 429)
    assert log_in(office, "reporter", PASSWORD).status_code == 302


def test_a_name_longer_than_any_account_is_counted_and_locked_like_any_other():
    office = browser_at(OFFICE)
    assert lock_out(office, "x" * 10_000, tries=6) == [200] * 4 + [429] * 2
    assert AccessAttempt.objects.get().username == "x" * 255


@pytest.mark.parametrize("spelling", [" reporter", "reporter\n", "ｒｅｐｏｒｔｅｒ"])
def test_another_spelling_of_the_same_name_counts_for_the_same_account(reporter, spelling):
    """The login form strips and normalises the name before it is counted: no way around."""
    office = browser_at(OFFICE)
    lock_out(office, spelling)
    assert log_in(office, "reporter", PASSWORD).status_code == 429


def test_lockouts_are_listed_in_russian_for_administrators(reporter):
    lock_out(browser_at(OFFICE), "reporter")
    lock_out(browser_at(HOME), "reporter", tries=2)
    admin = Client()
    admin.force_login(staff_user("admin", ADMIN_GROUP))

    index = admin.get(INDEX).content.decode()
    assert "Защита входа" in index and LOCKOUTS in index
    page = admin.get(LOCKOUTS).content.decode()
    assert "вход закрыт до" in page and "попыток до блокировки: 3" in page
    assert "Снять блокировку" in page and "Неудачные входы и блокировки" in page
    for english in ("Locked Out", "Attempt Remaining", "Clean up expired", "Delete selected"):
        assert english not in page
    locked = admin.get(LOCKOUTS + "?locked=yes").content.decode()
    assert OFFICE in locked and HOME not in locked


def test_only_administrators_see_or_lift_lockouts(reporter):
    lock_out(browser_at(OFFICE), "reporter")
    attempt = AccessAttempt.objects.get()
    chief = Client()
    chief.force_login(staff_user("chief", CHIEF_EDITOR_GROUP))
    assert chief.get(LOCKOUTS).status_code == 403
    response = chief.post(LOCKOUTS, {"action": "lift_selected", "_selected_action": [attempt.pk]})
    assert response.status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
    assert "Защита входа" not in chief.get(INDEX).content.decode()


# The client's address behind our proxies


class FakeRequest:
    def __init__(self, remote: str, forwarded: str | None = None):
        self.META = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.1"),  # no proxy trusted: the header is the client's own words
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the left part was written by the client
        (2, "6.6.6.6, 203.0.113.7, 192.0.2.10", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.1"),  # fewer hops than proxies: not through ours
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
        (1, None, "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_is_the_one_our_outermost_proxy_saw(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(FakeRequest("10.0.0.1", forwarded)) == expected


def test_a_spoofed_forwarded_header_does_not_dodge_the_lockout(settings, reporter):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    for n in range(6):
        browser = browser_at(proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {OFFICE}")
        log_in(browser, "reporter", "wrong")
    behind_proxy = browser_at(proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.99, {OFFICE}")
    assert log_in(behind_proxy, "reporter", PASSWORD).status_code == 429
    # Someone else behind the same proxy, at another address, is not locked out.
    elsewhere = browser_at(proxy, HTTP_X_FORWARDED_FOR=HOME)
    assert log_in(elsewhere, "reporter", PASSWORD).status_code == 302


# Settings from the environment


def settings_with(monkeypatch, **environment) -> dict:
    monkeypatch.setenv("DEBUG", "1")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(base_settings.__file__)


def test_limit_and_cool_off_come_from_the_environment(monkeypatch):
    settings = settings_with(
        monkeypatch, LOGIN_FAILURE_LIMIT="8", LOGIN_COOLOFF_MINUTES="45", TRUSTED_PROXY_COUNT="1"
    )
    assert settings["AXES_FAILURE_LIMIT"] == 8
    assert settings["AXES_COOLOFF_TIME"] == datetime.timedelta(minutes=45)
    assert settings["TRUSTED_PROXY_COUNT"] == 1
    for name in ("LOGIN_FAILURE_LIMIT", "LOGIN_COOLOFF_MINUTES", "TRUSTED_PROXY_COUNT"):
        monkeypatch.delenv(name)
    defaults = settings_with(monkeypatch)
    assert (defaults["AXES_FAILURE_LIMIT"], defaults["AXES_COOLOFF_TIME"]) == (
        5,
        datetime.timedelta(minutes=15),
    )
    assert defaults["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LOGIN_FAILURE_LIMIT", "0"),
        ("LOGIN_FAILURE_LIMIT", "five"),
        ("LOGIN_COOLOFF_MINUTES", "-5"),
        ("LOGIN_COOLOFF_MINUTES", "0"),
        ("TRUSTED_PROXY_COUNT", "yes"),
    ],
)
def test_a_bad_throttle_setting_stops_start_up(monkeypatch, name, value):
    with pytest.raises(ImproperlyConfigured, match=name):
        settings_with(monkeypatch, **{name: value})
