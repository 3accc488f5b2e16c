"""Every address the desk redirects to after a login, a logout or a save stays on this site,
whatever a `next` or `_changelist_filters` parameter says."""

import re
from urllib.parse import quote, urljoin, urlsplit

import pytest
from django.urls import reverse

from articles.models import Region
from articles.publishing.roles import ADMIN_GROUP
from tests.desk import staff_user, story_data
from tests.factories import ArticleFactory, RegionFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
INDEX = reverse("admin:index")
PASSWORD = "desk-password"  # tests/desk.py's staff_user

ELSEWHERE = [
    "https://evil.example",
    "https://evil.example/admin/",
    "http://evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    " //evil.example",
    "\t//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "https:evil.example",
    "https:/evil.example",
    "https:\\\\evil.example",
    "http://testserver@evil.example",
    "http://testserver.evil.example/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "ftp://evil.example",
    "//evil.example%2f%2e%2e",
    "https://evil.example\\@testserver",
    "/" + "a" * 5000 + "//evil.example",
]


def lands_here(location: str) -> bool:
    """Whether a browser following `location` from the login page stays on testserver.

    Browsers drop tabs and newlines, trim leading spaces and read a backslash as a slash in
    http(s) addresses; judge the address as they would."""
    seen = location.replace("\t", "").replace("\n", "").replace("\r", "").lstrip(" ")
    seen = re.sub(r"^/{2,}", "//", seen.replace("\\", "/"))
    target = urlsplit(urljoin("http://testserver" + LOGIN, seen))
    return target.scheme == "http" and target.netloc == "testserver"


@pytest.fixture
def reporter():
    return staff_user("reporter")


def ids(values):
    return [repr(value)[:40] for value in values]


@pytest.mark.parametrize("target", ELSEWHERE, ids=ids(ELSEWHERE))
def test_login_never_sends_anyone_off_the_site(client, reporter, target):
    response = client.post(LOGIN, {"username": "reporter", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response["Location"] == INDEX
    assert lands_here(response["Location"])


@pytest.mark.parametrize("target", ELSEWHERE, ids=ids(ELSEWHERE))
def test_login_with_next_in_the_address_never_sends_anyone_off_the_site(client, reporter, target):
    page = client.get(LOGIN, {"next": target})
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.content.decode()  # the hidden field, escaped
    response = client.post(
        LOGIN + "?next=" + quote(target, safe=""),
        {"username": "reporter", "password": PASSWORD},
    )
    assert response["Location"] == INDEX


@pytest.mark.parametrize(
    "target", ["/admin/articles/article/?status__exact=draft", "https://testserver/admin/"]
)
def test_a_next_on_this_site_is_followed(client, reporter, target):
    response = client.post(LOGIN, {"username": "reporter", "password": PASSWORD, "next": target})
    assert response["Location"] == target


@pytest.mark.parametrize("target", ELSEWHERE[:8], ids=ids(ELSEWHERE[:8]))
def test_a_signed_in_visit_to_the_login_page_goes_to_the_desk(client, reporter, target):
    client.force_login(reporter)
    response = client.get(LOGIN, {"next": target})
    assert response.status_code == 302 and response["Location"] == INDEX


@pytest.mark.parametrize("target", ELSEWHERE, ids=ids(ELSEWHERE))
def test_logout_never_sends_anyone_off_the_site(client, reporter, target):
    client.force_login(reporter)
    response = client.post(reverse("admin:logout"), {"next": target})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert lands_here(response["Location"])
    assert client.get(INDEX).status_code == 302  # logged out all the same


@pytest.mark.parametrize("target", ELSEWHERE, ids=ids(ELSEWHERE))
def test_the_login_redirect_of_a_signed_out_desk_page_keeps_next_on_the_site(client, target):
    response = client.get(reverse("admin:articles_article_changelist"), {"q": target})
    assert response.status_code == 302
    assert lands_here(response["Location"])
    assert urlsplit(response["Location"]).path == LOGIN


FILTERS = [
    "next=https://evil.example",
    "https://evil.example",
    "//evil.example",
    "/\\evil.example",
    "q=1&_changelist_filters=//evil.example",
    "status__exact=draft#//evil.example",
    "\r\nLocation: https://evil.example",
]


@pytest.fixture
def admin_client_(client):
    client.force_login(staff_user("admin", ADMIN_GROUP))
    return client


@pytest.mark.parametrize("filters", FILTERS, ids=ids(FILTERS))
def test_saving_a_story_returns_to_its_list_on_this_site(admin_client_, filters):
    story = ArticleFactory(region=RegionFactory(), draft=True)
    url = reverse("admin:articles_article_change", args=[story.pk])
    response = admin_client_.post(
        url + "?_changelist_filters=" + quote(filters, safe=""), story_data(story)
    )
    assert response.status_code == 302, response.content.decode()[:500]
    location = response["Location"]
    assert lands_here(location)
    assert urlsplit(location).path == reverse("admin:articles_article_changelist")
    assert "\n" not in location and "\r" not in location


@pytest.mark.parametrize("filters", FILTERS, ids=ids(FILTERS))
def test_adding_and_deleting_return_to_the_list_on_this_site(admin_client_, filters):
    region_list = reverse("admin:articles_region_changelist")
    query = "?_changelist_filters=" + quote(filters, safe="")
    added = admin_client_.post(
        reverse("admin:articles_region_add") + query,
        {
            "name": "Тверь",
            "slug": "tver",
            "time_zone": "Europe/Moscow",
            "position": "0",
            "description": "",
        },
    )
    assert added.status_code == 302 and lands_here(added["Location"])
    assert urlsplit(added["Location"]).path == region_list
    region = Region.objects.get(slug="tver")
    deleted = admin_client_.post(
        reverse("admin:articles_region_delete", args=[region.pk]) + query, {"post": "yes"}
    )
    assert deleted.status_code == 302 and lands_here(deleted["Location"])
    assert urlsplit(deleted["Location"]).path == region_list


def test_lands_here_recognises_a_way_off_the_site():
    """The judge itself: the tricks it must see through, and what it must let pass."""
    off_site = [target for target in ELSEWHERE if not target.startswith("/a")]
    assert not [target for target in off_site if lands_here(target)]
    assert lands_here("/admin/") and lands_here("/admin/?next=//evil.example")
    assert lands_here("http://testserver/admin/")
