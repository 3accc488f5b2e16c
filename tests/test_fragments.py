"""Cached fragments (story cards, a story's rail, a photo's renditions) never show an old value:
every edit a reader would see on a card or in a rail shows on the next view of every page."""

import datetime
import time

import pytest
from django.utils import timezone

from articles.caching import fragments
from articles.renditions import build_renditions
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    PhotoFactory,
    RegionFactory,
    bulk_published_stories,
)
from tests.tasks import run_worker
from tests.test_caching import (  # noqa: F401 - on_redis and page_cache are fixtures
    assert_capped_at,
    in_seconds,
    on_redis,
    page_cache,
)

pytestmark = pytest.mark.django_db


def text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def edited(django_capture_on_commit_callbacks):
    """An edit as the desk makes it: saved, then what waits for the commit runs (the purges)."""

    def save(*objects):
        with django_capture_on_commit_callbacks(execute=True):
            for obj in objects:
                obj.save()

    return save


@pytest.fixture
def newsroom(django_capture_on_commit_callbacks):
    """A story shown as a card on the home page and its region's, and in another story's rail
    (as "read also", under the same tag, and as a teaser); committed, as the desk leaves it."""
    with django_capture_on_commit_callbacks(execute=True):
        return _newsroom()


def _newsroom() -> dict:
    region = RegionFactory(name="Омск", slug="omsk", time_zone="Asia/Omsk")
    photo = PhotoFactory(alt_text="Мост через Иртыш", caption="Мост утром")
    build_renditions(photo)
    author = AuthorFactory(name="Анна Соколова", slug="sokolova")
    shown = ArticleFactory(
        region=region, headline="Мост открыт", main_photo=photo, tags=["мост"], authors=[author]
    )
    story = ArticleFactory(region=region, headline="Пробки в центре", tags=["мост"])
    story.related_links.create(title="Как строили мост", target_article=shown, position=0)
    return {"region": region, "photo": photo, "author": author, "shown": shown, "story": story}


def pages(newsroom) -> list[str]:
    return ["/", "/omsk/", "/tags/most/", newsroom["story"].get_absolute_url()]


def warm(client, urls) -> None:
    for url in urls:
        text(client, url)
        text(client, url)  # the second view is made of cached fragments


def assert_kept_as_fragments(names: list[str], settings) -> None:
    """Every fragment named is cached, and none is read once fragments are switched off."""
    assert set(fragments.get_many(names)) == set(names)
    settings.FRAGMENT_CACHE_ENABLED = False
    assert fragments.get_many(names) == {}


def test_a_story_page_keeps_its_rail_lead_photo_head_and_text_as_fragments(
    client, newsroom, settings
):
    story, shown = newsroom["story"], newsroom["shown"]
    text(client, shown.get_absolute_url())
    text(client, story.get_absolute_url())
    names = [
        f"rail:{story.pk}",
        f"photo:{newsroom['photo'].pk}:lead",
        f"story:{shown.pk}:head",
        f"story:{shown.pk}:text",
    ]
    assert_kept_as_fragments(names, settings)


def test_a_listing_keeps_its_page_of_stories_as_a_fragment(client, newsroom, settings):
    tag = newsroom["shown"].tags.get()
    urls = ["/", "/omsk/", "/omsk/?page=1", "/tags/most/", "/authors/sokolova/"]
    warm(client, urls)
    names = [
        "listing:home:1",
        f"listing:region:{newsroom['region'].pk}:1",
        f"listing:tag:{tag.pk}:1",
        f"listing:author:{newsroom['author'].pk}:1",
    ]
    assert_kept_as_fragments(names, settings)


def test_a_page_made_of_cached_fragments_is_the_page_made_afresh(client, newsroom, settings):
    urls = [
        *pages(newsroom),
        newsroom["shown"].get_absolute_url(),
        "/authors/sokolova/",
        "/tags/most/?page=1&from=newsletter",
    ]
    made = {url: text(client, url) for url in urls}
    from_fragments = {url: text(client, url) for url in urls}
    settings.FRAGMENT_CACHE_ENABLED = False
    afresh = {url: text(client, url) for url in urls}
    for url in urls:
        assert from_fragments[url] == made[url] == afresh[url], url


def test_a_cached_list_of_cards_tells_each_story_s_age_as_it_is_read(
    client, newsroom, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(
            region=newsroom["region"],
            headline="Лёд тронулся",
            published_at=timezone.now() - datetime.timedelta(minutes=30),
        )
    urls = ["/", "/omsk/"]
    warm(client, urls)
    names = ["listing:home:1:list", f"listing:region:{newsroom['region'].pk}:1:list"]
    assert set(fragments.get_many(names)) == set(names)
    later = timezone.now() + datetime.timedelta(minutes=10)
    monkeypatch.setattr("articles.dates.timezone.now", lambda: later)
    for url in urls:
        page = text(client, url)
        assert "40 минут назад" in page and "30 минут назад" not in page, url


def test_a_cached_list_keeps_no_other_address_s_links(client, newsroom):
    bulk_published_stories(newsroom["region"], 30)
    text(client, "/omsk/?page=1&from=newsletter")
    page = text(client, "/omsk/")
    assert 'href="?page=2"' in page and "newsletter" not in page
    assert "?from=newsletter&amp;page=2" in text(client, "/omsk/?from=newsletter")


def test_a_story_published_joins_every_cached_listing_at_once(
    client, newsroom, edited, django_capture_on_commit_callbacks
):
    urls = ["/", "/omsk/", "/tags/most/", "/authors/sokolova/"]
    with django_capture_on_commit_callbacks(execute=True):
        story = ArticleFactory(
            region=newsroom["region"],
            headline="Мост покрасят",
            tags=["мост"],
            authors=[newsroom["author"]],
            in_review=True,
        )
    warm(client, urls)  # in review: on no listing, which are cached as they are
    for url in urls:
        assert "Мост покрасят" not in text(client, url), url
    story.status, story.published_at = story.Status.PUBLISHED, timezone.now()
    edited(story)
    for url in urls:
        assert "Мост покрасят" in text(client, url), url


@pytest.mark.parametrize("change", ["scheduled", "unpublished"])
def test_a_cached_listing_changes_at_the_time_a_story_comes_out_or_goes(
    client, newsroom, edited, change
):
    region = newsroom["region"]
    if change == "scheduled":
        story = ArticleFactory.build(
            region=region, headline="Мост откроют", published_at=in_seconds(2)
        )
    else:
        story = ArticleFactory.build(
            region=region, headline="Мост откроют", unpublish_at=in_seconds(2)
        )
    edited(story)
    urls = ["/", "/omsk/"]
    before = change == "unpublished"
    for _ in range(2):  # made, then from the fragment cache with the time it was made with
        for url in urls:
            response = client.get(url)
            assert ("Мост откроют" in response.content.decode()) is before, url
            assert_capped_at(response, 2)
    time.sleep(2.1)
    for url in urls:
        assert ("Мост откроют" in text(client, url)) is not before, url


def test_a_new_headline_and_address_show_on_every_card_and_rail_at_once(client, newsroom, edited):
    urls = pages(newsroom)
    warm(client, urls)
    shown = newsroom["shown"]
    old_url = shown.get_absolute_url()
    shown.headline, shown.slug = "Мост закрыт на ремонт", "most-zakryt"
    edited(shown)
    for url in urls:
        page = text(client, url)
        assert "Мост открыт" not in page and old_url not in page, url
        assert shown.get_absolute_url() in page, url
    assert "Мост закрыт на ремонт" in text(client, "/omsk/")
    # In the rail: "read also" by headline, the teaser by its own title and the new address.
    rail = text(client, newsroom["story"].get_absolute_url()).split('class="related"')[1]
    assert "Как строили мост" in rail and shown.get_absolute_url() in rail


def test_a_new_alt_text_and_caption_show_on_every_card_and_the_story_at_once(
    client, newsroom, edited
):
    shown = newsroom["shown"]
    urls = [*pages(newsroom), shown.get_absolute_url()]
    warm(client, urls)
    photo = newsroom["photo"]
    photo.alt_text, photo.caption = "Мост вечером", "Огни моста"
    edited(photo)
    for url in ["/", "/omsk/", "/tags/most/", shown.get_absolute_url()]:
        page = text(client, url)
        assert 'alt="Мост через Иртыш"' not in page and 'alt="Мост вечером"' in page, url
    assert "Огни моста" in text(client, shown.get_absolute_url())


def test_a_new_region_name_shows_on_every_card_at_once(client, newsroom, edited):
    urls = pages(newsroom)
    warm(client, urls)
    region = newsroom["region"]
    region.name = "Омская область"
    edited(region)
    # Network-wide lists name each card's region beside its time.
    for url in ["/", "/tags/most/"]:
        page = text(client, url)
        assert '<span class="dateline-region">Омская область</span>' in page, url
        assert '<span class="dateline-region">Омск</span>' not in page, url


def test_a_new_author_name_shows_on_the_story_and_the_author_page_at_once(client, newsroom, edited):
    shown = newsroom["shown"]
    urls = [shown.get_absolute_url(), "/authors/sokolova/", *pages(newsroom)]
    warm(client, urls)
    author = newsroom["author"]
    author.name = "Анна Петрова"
    edited(author)
    for url in urls[:2]:
        page = text(client, url)
        assert "Анна Петрова" in page and "Анна Соколова" not in page, url


def test_a_new_tag_or_region_name_shows_in_the_story_and_its_head_at_once(client, newsroom, edited):
    shown = newsroom["shown"]
    warm(client, [shown.get_absolute_url()])
    tag = shown.tags.get()
    tag.name = "Мосты"
    edited(tag)
    page = text(client, shown.get_absolute_url())
    assert 'rel="tag">Мосты</a>' in page and '<meta property="article:tag" content="Мосты">' in page
    region = newsroom["region"]
    region.name = "Омская область"
    edited(region)
    page = text(client, shown.get_absolute_url())
    assert '<p class="dateline"><a href="/omsk/">Омская область</a>' in page


def test_a_story_leaving_the_site_leaves_every_rail_at_once(client, newsroom, edited):
    story, shown = newsroom["story"], newsroom["shown"]
    warm(client, [story.get_absolute_url()])
    shown.status = shown.Status.DRAFT
    edited(shown)
    page = text(client, story.get_absolute_url())
    assert shown.get_absolute_url() not in page and "Как строили мост" not in page


def test_on_redis_the_cards_show_the_edit_once_the_purge_queue_ran(
    client,
    newsroom,
    edited,
    on_redis,  # noqa: F811 - the fixture imported above
):
    urls = pages(newsroom)
    warm(client, urls)
    shown = newsroom["shown"]
    shown.headline = "Мост закрыт на ремонт"
    edited(shown)
    run_worker(queue_name="purges")
    for url in urls:
        assert "Мост открыт" not in text(client, url), url


def test_a_scheduled_story_joins_a_cached_rail_at_its_time(
    client, newsroom, django_capture_on_commit_callbacks
):
    story = newsroom["story"]
    warm(client, [story.get_absolute_url()])
    due = timezone.now() + datetime.timedelta(seconds=2)
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(
            region=newsroom["region"],
            headline="Мост откроют в полночь",
            tags=["мост"],
            published_at=due,
        )
    # The rail is made and cached again before the story is out: it must not outlive that.
    assert "Мост откроют в полночь" not in text(client, story.get_absolute_url())
    time.sleep(max(0, (due - timezone.now()).total_seconds()) + 0.2)
    assert "Мост откроют в полночь" in text(client, story.get_absolute_url())
