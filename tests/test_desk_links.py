"""The story editor's link picker: the site's stories by headline, with their canonical links."""

import pytest
from django.conf import settings
from django.urls import reverse

from articles.models import RegionalRole
from articles.publishing.roles import JOURNALIST_GROUP
from tests.desk import staff_user
from tests.factories import ArticleFactory, RegionFactory

pytestmark = pytest.mark.django_db

LINKS = reverse("admin:articles_article_links")


@pytest.fixture
def stories():
    home = RegionFactory(name="Калининград", slug="kaliningrad")
    other = RegionFactory(name="Казань", slug="kazan")
    return {
        "home": home,
        "other": other,
        "published": ArticleFactory(region=other, headline="Склад на окраине сгорел"),
        "draft": ArticleFactory(region=home, headline="Склад снова открыт", draft=True),
        "elsewhere_draft": ArticleFactory(region=other, headline="Склад закрыт", draft=True),
        "unrelated": ArticleFactory(region=home, headline="Мост открыли после ремонта"),
        "journalist": staff_user(
            "journalist", JOURNALIST_GROUP, **{RegionalRole.JOURNALIST: [home]}
        ),
    }


def find(client, user, **query):
    client.force_login(user)
    response = client.get(LINKS, query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["results"]


def test_published_stories_of_every_region_and_drafts_of_the_story_s_region_are_offered(
    client, stories
):
    results = find(client, stories["journalist"], q="Склад", region=stories["home"].pk)
    assert [r["headline"] for r in results] == ["Склад на окраине сгорел", "Склад снова открыт"]
    published, draft = results
    assert published == {
        "headline": "Склад на окраине сгорел",
        "url": settings.SITE_URL + stories["published"].get_absolute_url(),
        "region": "Казань",
        "published": True,
        "status": "",
    }
    assert draft["published"] is False and draft["status"] == "черновик"
    assert draft["url"] == settings.SITE_URL + stories["draft"].get_absolute_url()


def test_drafts_of_a_region_outside_the_user_s_desk_are_never_offered(client, stories):
    results = find(client, stories["journalist"], q="Склад", region=stories["other"].pk)
    assert [r["headline"] for r in results] == ["Склад на окраине сгорел"]


@pytest.mark.parametrize("region", ["", "abc", "-1", "9" * 40, "1 OR 1=1"])
def test_without_a_usable_region_only_published_stories_are_offered(client, stories, region):
    results = find(client, stories["journalist"], q="Склад", region=region)
    assert [r["headline"] for r in results] == ["Склад на окраине сгорел"]


@pytest.mark.parametrize("term", ["", "С", "  ", "%", "_"])
def test_a_term_too_short_or_a_lone_wildcard_finds_nothing_much(client, stories, term):
    results = find(client, stories["journalist"], q=term, region=stories["home"].pk)
    assert results == []


def test_a_huge_term_is_cut_and_answered(client, stories):
    assert find(client, stories["journalist"], q="Склад " * 10_000) == []


def test_readers_are_sent_to_the_login(client, stories):
    response = client.get(LINKS, {"q": "Склад"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_admin_javascript_catalogue_carries_the_editor_s_russian(admin_client):
    catalogue = admin_client.get(reverse("admin:jsi18n")).content.decode()
    assert '"Edit Link": "\\u0421\\u0441\\u044b\\u043b\\u043a\\u0430"' in catalogue or (
        '"Edit Link": "Ссылка"' in catalogue
    )
