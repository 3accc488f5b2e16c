"""Nothing unpublished leaks: one story in every editorial state (past its unpublish time and under
embargo included), each carrying its own marker word in headline, body, tag and photo caption; only
the published stories' markers may appear anywhere."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Tag
from articles.renditions import build_renditions
from tests.factories import ArticleFactory, AuthorFactory, PhotoFactory, RegionFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
# Each hidden story: its factory traits, and its times as offsets from now (half an hour ago
# unless told; None for no time at all).
HIDDEN_STATES = {
    "leakdraft": {"draft": True},
    "leakreview": {"in_review": True},
    "leakscheduled": {"scheduled": True, "published_at": 24 * HOUR},
    "leakunpublished": {"unpublished": True},
    "leakinactive": {},
    # Published, and taken off the site by its unpublish time a minute ago.
    "leakexpired": {"unpublish_at": -HOUR / 60},
    # Under embargo: a draft and a story in review with no time yet, and a story scheduled for
    # after its embargo ends.
    "leakembargodraft": {"draft": True, "published_at": None, "embargo_until": 6 * HOUR},
    "leakembargoreview": {"in_review": True, "published_at": None, "embargo_until": 6 * HOUR},
    "leakembargoscheduled": {"published_at": 7 * HOUR, "embargo_until": 6 * HOUR},
}
VISIBLE = "leakpublished"
# Published, to be taken off the site tomorrow: visible until then.
STILL_UP = "leakstillup"
VISIBLE_STATES = {VISIBLE: {}, STILL_UP: {"unpublish_at": 24 * HOUR}}
TIMES = ("published_at", "unpublish_at", "embargo_until")


@pytest.fixture
def newsroom():
    active = RegionFactory(slug="samara", name="Самара", time_zone="Europe/Samara")
    inactive = RegionFactory(slug="murmansk", name="Мурманск", is_active=False)
    author = AuthorFactory(slug="avtor", name="Общий Автор")
    stories = {}
    now = timezone.now()
    for marker, state in {**HIDDEN_STATES, **VISIBLE_STATES}.items():
        traits = {name: value for name, value in state.items() if name not in TIMES}
        offsets = {"published_at": -HOUR / 2} | {
            name: value for name, value in state.items() if name in TIMES
        }
        times = {name: None if delta is None else now + delta for name, delta in offsets.items()}
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
            **traits,
            **times,
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


def test_a_story_whose_unpublish_time_is_ahead_is_on_every_surface(client, newsroom):
    story, region = newsroom["stories"][STILL_UP], newsroom["region"]
    page = client.get(story.get_absolute_url())
    assert page.status_code == 200 and f"Текст {STILL_UP}" in page.content.decode()
    headline = f"Новость {STILL_UP}"
    for url in (
        region.get_absolute_url(),
        "/",
        reverse("articles:site_feed"),
        reverse("articles:region_feed", args=[region.slug]),
        reverse("articles:region_full_text_feed", args=[region.slug]),
        "/sitemap-news.xml",
    ):
        assert headline in client.get(url).content.decode(), url
    for url in ("/sitemap-stories.xml", "/sitemap-news.xml"):
        assert story.get_absolute_url() in client.get(url).content.decode(), url


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
