"""Every public page type passes the Nu HTML Checker with no errors."""

import pytest

from articles.models import Tag
from articles.renditions import build_renditions
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    PhotoFactory,
    RegionFactory,
    RelatedLinkFactory,
    bulk_published_stories,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom():
    """A small newsroom with every element a page can show."""
    region = RegionFactory(
        name="Калининград", slug="kaliningrad", description="Новости Калининграда и области."
    )
    samara = RegionFactory(name="Самара", slug="samara", time_zone="Europe/Samara")
    RegionFactory(name="Пермь", slug="perm")  # nothing published: no block on the home page
    photo = PhotoFactory(caption="Набережная утром", credit="Анна Смирнова")
    build_renditions(photo)
    author = AuthorFactory(name="Ирина Волкова", bio="Пишет о городе.\nВедёт рубрику.", photo=photo)
    earlier = ArticleFactory(region=region, tags=["город"], main_photo=photo)
    full = ArticleFactory(
        region=region,
        main_photo=photo,
        is_breaking=True,
        authors=[author],
        tags=["город", "транспорт"],
        body=(
            '<h2>Подробности</h2><p>Как мы <a href="'
            + earlier.get_absolute_url()
            + '">писали</a>, '
            'мост <strong>закрыт</strong>. <a href="https://example.org/">Источник</a>.</p>'
            "<ul><li>один</li></ul><blockquote><p>Цитата</p></blockquote>"
        ),
    )
    RelatedLinkFactory(article=full, kicker="Pro", target_article=earlier, external_url="")
    RelatedLinkFactory(article=full, kicker="", title="Карта перекрытий")
    CorrectionFactory(article=full, text="Уточнено название улицы.")
    CorrectionFactory(article=full, text="Мост закрыт до пятницы,\nа не до четверга.")
    bare = ArticleFactory(region=region, body="<p>Короткая заметка.</p>")
    # Enough for a second page, and for a regional block of Samara under the home page's list.
    bulk_published_stories(samara, 25, headline="Самарская новость {n:02d}")
    return {"region": region, "full": full, "bare": bare, "author": author}


def test_every_public_page_type_is_valid_html(client, html_checker, newsroom):
    published = newsroom["full"].published_at.astimezone(newsroom["region"].zone)
    pages = {
        "home": "/",
        "region": "/kaliningrad/",
        "story with photo, teasers and corrections": newsroom["full"].get_absolute_url(),
        "story without photo or teasers": newsroom["bare"].get_absolute_url(),
        "tag": Tag.objects.get(name="город").get_absolute_url(),
        "author": newsroom["author"].get_absolute_url(),
        "day archive": f"/kaliningrad/{published:%Y/%m/%d}/",
        "region, second page": "/samara/?page=2",
        "home, second page": "/?page=2",
        "search with results": "/search/?q=Самарская",
        "search without a query": "/search/",
        "search with a bad filter": "/search/?q=новость&from=31-02-2024&region=nigde",
        "search with nothing found": "/search/?q=абракадабра",
        "empty region": "/perm/",
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        if name == "home":
            assert response.content.decode().count('class="region-block"') == 2, name
        if "corrections" in name:
            assert response.content.decode().count("<li><time") == 2, name
        html_checker.assert_valid(response.content, page_name=f"{name} {url}")


def test_not_found_page_is_valid_html(client, html_checker, newsroom):
    response = client.get("/kaliningrad/999999-net-takoy/")
    assert response.status_code == 404
    html_checker.assert_valid(response.content, page_name="404")


def test_server_error_page_is_valid_html(html_checker):
    from django.template.loader import render_to_string

    html_checker.assert_valid(render_to_string("500.html"), page_name="500")


@pytest.mark.parametrize(
    ("method", "path"), [("get", "/"), ("get", "/admin/"), ("post", "/admin/articles/article/1/")]
)
def test_outage_pages_are_valid_html(html_checker, rf, method, path):
    from newsroom.errors import unavailable

    response = unavailable(getattr(rf, method)(path))
    assert response.status_code == 503
    html_checker.assert_valid(response.content, page_name=f"503 {method} {path}")
