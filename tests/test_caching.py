import pytest
from django.urls import reverse

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "make_url",
    [
        lambda article: article.get_absolute_url(),
        lambda article: "/",
        lambda article: article.region.get_absolute_url(),
        lambda article: reverse("articles:site_feed"),
        lambda article: "/sitemap.xml",
        lambda article: "/robots.txt",
    ],
)
def test_public_answers_may_be_kept_by_a_cdn_for_a_minute(client, settings, make_url):
    settings.PUBLIC_CACHE_SECONDS = 60
    response = client.get(make_url(ArticleFactory()))
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"
    assert "Accept-Language" not in response.get("Vary", "")


def test_the_desk_is_never_cached_publicly(admin_client):
    response = admin_client.get(reverse("admin:articles_article_changelist"))
    assert "public" not in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_post_is_never_cached(client):
    response = client.post(reverse("admin:login"), {"username": "x", "password": "y"})
    assert "public" not in response.get("Cache-Control", "")
