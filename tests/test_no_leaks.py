"""Nothing unpublished leaks: one story in every editorial state, each carrying its own marker word
in headline, body, tag and photo caption; only the published story's marker may appear anywhere."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from articles.models import Tag
from articles.renditions import build_renditions
from tests.factories import ArticleFactory, AuthorFactory, PhotoFactory, RegionFactory

pytestmark = pytest.mark.django_db

HIDDEN_STATES = {
    "leakdraft": {"draft": True},
    "leakreview": {"in_review": True},
    "leakscheduled": {"scheduled": True},
    "leakunpublished": {"unpublished": True},
    "leakinactive": {},
}
VISIBLE = "leakpublished"


@pytest.fixture
def newsroom():
    cache.clear()
    active = RegionFactory(slug="samara", name="Самара", time_zone="Europe/Samara")
    inactive = RegionFactory(slug="murmansk", name="Мурманск", is_active=False)
    author = AuthorFactory(slug="avtor", name="Общий Автор")
    stories = {}
    now = timezone.now()
    for marker, traits in {**HIDDEN_STATES, VISIBLE: {}}.items():
        # Half an hour ago for everyone, tomorrow for the scheduled one.
        offset = datetime.timedelta(days=1 if marker == "leakscheduled" else -1 / 48)
        photo = PhotoFactory(caption=f"Подпись {marker}", alt_text="Кадр")
        build_renditions(photo)
        stories[marker] = ArticleFactory(
            region=inactive if marker == "leakinactive" else active,
            headline=f"Новость {marker}",
            lead="Общий лид о городе.",
            body=f"<p>Текст {marker} о городе.</p>",
            main_photo=photo,
            authors=[author],
            tags=[marker, "город"],
            is_breaking=True,
            published_at=now + offset,
            **traits,
        )
    return {"region": active, "inactive": inactive, "stories": stories}


def public_surfaces(newsroom) -> list[str]:
    """Every public URL a reader, crawler or aggregator could reach, hidden stories' included."""
    region, inactive = newsroom["region"], newsroom["inactive"]
    today = timezone.localdate(timezone=region.zone).strftime("%Y/%m/%d")
    urls = [
        "/",
        "/?page=2",
        region.get_absolute_url(),
        inactive.get_absolute_url(),
        f"{region.get_absolute_url()}{today}/",
        "/authors/avtor/",
        reverse("articles:site_feed"),
        reverse("articles:site_full_text_feed"),
        reverse("articles:region_feed", args=[region.slug]),
        reverse("articles:region_full_text_feed", args=[region.slug]),
        reverse("articles:region_feed", args=[inactive.slug]),
        reverse("articles:author_feed", args=["avtor"]),
        "/sitemap.xml",
        "/sitemap-news.xml",
        "/sitemap-stories.xml",
        "/sitemap-regions.xml",
        "/sitemap-tags.xml",
        "/sitemap-authors.xml",
        "/robots.txt",
        "/search/?q=город",
    ]
    for tag in Tag.objects.all():
        urls += [f"/tags/{tag.slug}/", reverse("articles:tag_feed", args=[tag.slug])]
    for story in newsroom["stories"].values():
        urls.append(f"/{story.region.slug}/{story.pk}-{story.slug}/")
    return urls


def test_hidden_markers_appear_on_no_public_surface(client, newsroom):
    seen_visible = set()
    for url in public_surfaces(newsroom):
        response = client.get(url)
        assert response.status_code in {200, 404}, (url, response.status_code)
        content = response.content.decode()
        for marker in HIDDEN_STATES:
            assert marker not in content, f"{marker} leaks through {url}"
        if VISIBLE in content:
            seen_visible.add(url)
    # The published story does show: its page, listings, feeds, sitemaps and search.
    story = newsroom["stories"][VISIBLE]
    for expected in (
        story.get_absolute_url(),
        "/",
        reverse("articles:site_full_text_feed"),
        "/sitemap-news.xml",
    ):
        assert expected in seen_visible, expected


def test_searching_for_a_hidden_marker_finds_nothing(client, newsroom):
    # The search page repeats the query, so here the marker may appear, but never as a result.
    for marker in HIDDEN_STATES:
        for query in (marker, f"Текст {marker}", f"Подпись {marker}"):
            content = client.get("/search/", {"q": query}).content.decode()
            results = content.replace(f'value="{query}"', "").replace(f"«{query}»", "")
            assert marker not in results, query
    visible = client.get("/search/", {"q": VISIBLE}).content.decode()
    assert f"Новость {VISIBLE}" in re.sub(r"</?mark>", "", visible)


def test_hidden_stories_pages_are_404s(client, newsroom):
    for marker in HIDDEN_STATES:
        story = newsroom["stories"][marker]
        assert client.get(f"/{story.region.slug}/{story.pk}-{story.slug}/").status_code == 404


def test_a_tag_given_only_to_hidden_stories_has_no_page_and_no_feed(client, newsroom):
    for marker in HIDDEN_STATES:
        slug = Tag.objects.get(name=marker).slug
        assert client.get(f"/tags/{slug}/").status_code == 404
        assert client.get(reverse("articles:tag_feed", args=[slug])).status_code == 404
