"""Caching from the browser to the edge: headers, surrogate keys, the page cache and its purges.

The edge itself (Varnish in front of a live server) is tests/test_edge.py.
"""

import datetime
import os
import runpy
import time
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from django.utils import timezone

from articles.caching import edge, pagecache, purges
from articles.models import Article, Author, Photo, Region, Tag
from articles.publishing import workflow
from articles.publishing.corrections import add_correction
from articles.publishing.previews import preview_path
from articles.renditions import build_renditions
from articles.services import merge_tags
from newsroom import settings as base_settings
from tests.desk import story_data
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    PhotoFactory,
    RegionFactory,
    RelatedLinkFactory,
)
from tests.peers import Peer, QuietHandler
from tests.tasks import run_worker

pytestmark = pytest.mark.django_db

PUBLIC = "max-age=0, s-maxage=300, stale-while-revalidate=30, stale-if-error=86400"
PRIVATE = "private, no-store"


def sets_a_cookie(request):
    response = HttpResponse("ok")
    response.set_cookie("seen", "1")
    return response


# Used by the tests marked `urls`: the site plus a public view that sets a cookie.
urlpatterns = [path("__test__/cookie/", sets_a_cookie), path("", include("newsroom.urls"))]


@pytest.fixture(autouse=True)
def policy(settings):
    settings.PUBLIC_CACHE_SECONDS = 300
    settings.PUBLIC_STALE_WHILE_REVALIDATE_SECONDS = 30
    settings.PUBLIC_STALE_IF_ERROR_SECONDS = 86400
    settings.EDGE_PURGE_URLS = []


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_ENABLED = True


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """What a request's transaction does at its end: run what waits for the commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def purged(monkeypatch):
    """The key sets purged, in order, as the commit hooks send them."""
    calls = []
    real = purges.purge

    def spy(keys):
        calls.append(set(keys))
        real(keys)

    monkeypatch.setattr(purges, "purge", spy)
    return calls


def keys_of(response) -> set[str]:
    return set(response["Surrogate-Key"].split())


def from_cache(response) -> bool:
    return response.has_header("Age")


def text(response) -> str:
    return response.content.decode()


def seconds_kept(response) -> int:
    directives = dict(
        part.strip().partition("=")[::2] for part in response["Cache-Control"].split(",")
    )
    return int(directives["s-maxage"])


def published_story(**fields):
    photo = PhotoFactory()
    build_renditions(photo)
    return ArticleFactory(main_photo=photo, **fields)


# Headers ---------------------------------------------------------------------------------------

PUBLIC_URLS = [
    lambda article: article.get_absolute_url(),
    lambda article: "/",
    lambda article: article.region.get_absolute_url(),
    lambda article: timezone.localtime(article.published_at, article.region.zone).strftime(
        f"/{article.region.slug}/%Y/%m/%d/"
    ),
    lambda article: article.tags.get().get_absolute_url(),
    lambda article: article.bylines.get().author.get_absolute_url(),
    lambda article: reverse("articles:site_feed"),
    lambda article: reverse("articles:site_full_text_feed"),
    lambda article: f"/{article.region.slug}/feed/",
    lambda article: f"/tags/{article.tags.get().slug}/feed/",
    lambda article: "/sitemap.xml",
    lambda article: "/sitemap-news.xml",
    lambda article: "/sitemap-stories.xml",
    lambda article: "/sitemap-tags.xml",
    lambda article: "/robots.txt",
    lambda article: "/search/?q=новость",
]


@pytest.mark.parametrize("make_url", PUBLIC_URLS)
def test_browsers_revalidate_public_answers_and_shared_caches_keep_them(client, make_url):
    article = published_story(tags=["выборы"], authors=[AuthorFactory()])
    response = client.get(make_url(article))
    assert response.status_code == 200
    assert response["Cache-Control"] == PUBLIC
    assert response["ETag"].startswith('"')
    assert "all" in keys_of(response)
    # The same answer for every reader: nothing for a cache to split its copies by.
    assert not response.has_header("Vary")


def test_a_conditional_get_is_a_304_without_the_page(client):
    article = published_story()
    first = client.get(article.get_absolute_url())
    again = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == PUBLIC


def test_a_changed_page_gets_a_new_etag(client):
    article = published_story()
    first = client.get(article.get_absolute_url())
    Article.objects.filter(pk=article.pk).update(headline="Новый заголовок")
    again = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


def test_a_feed_revalidation_keeps_the_keys_a_cache_already_has(client):
    ArticleFactory()
    first = client.get(reverse("articles:site_feed"))
    again = client.get(reverse("articles:site_feed"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["Cache-Control"] == PUBLIC
    # A 304's headers replace the cached copy's: an empty key list would orphan it.
    assert not again.has_header("Surrogate-Key")


def test_the_desk_is_never_cached_anywhere(client, admin_client):
    for response in (
        admin_client.get(reverse("admin:articles_article_changelist")),
        client.get(reverse("admin:login")),
        client.post(reverse("admin:login"), {"username": "x", "password": "y"}),
    ):
        assert response["Cache-Control"] == PRIVATE
        assert not response.has_header("Surrogate-Key")


def test_a_signed_in_user_gets_even_public_pages_private(admin_client, client, page_cache):
    article = published_story()
    for url in (article.get_absolute_url(), "/", reverse("articles:site_feed")):
        response = admin_client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == PRIVATE
        assert not response.has_header("Surrogate-Key")
        # Nor did the page cache keep what the desk's user saw.
        assert not from_cache(client.get(url))


def test_previews_are_private(client):
    draft = ArticleFactory(draft=True)
    response = client.get(preview_path(draft))
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE
    assert not response.has_header("Surrogate-Key")


@pytest.mark.urls("tests.test_caching")
def test_an_answer_setting_a_cookie_is_private(client):
    response = client.get("/__test__/cookie/")
    assert response["Cache-Control"] == PRIVATE


def test_public_pages_do_not_depend_on_the_readers_cookies(client, page_cache):
    article = published_story()
    client.cookies.load({"csrftoken": "x" * 32, "_ym_uid": "1700000000123"})
    first = client.get(article.get_absolute_url())
    assert first["Cache-Control"] == PUBLIC and not first.has_header("Vary")
    assert from_cache(client.get(article.get_absolute_url()))


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"PUBLIC_CACHE_SECONDS": "-1"}, "PUBLIC_CACHE_SECONDS"),
        ({"PUBLIC_CACHE_SECONDS": "ten"}, "PUBLIC_CACHE_SECONDS"),
        ({"PUBLIC_STALE_IF_ERROR_SECONDS": "99999999"}, "PUBLIC_STALE_IF_ERROR_SECONDS"),
        ({"PAGE_CACHE_ENABLED": "sometimes"}, "PAGE_CACHE_ENABLED"),
        ({"EDGE_PURGE_URLS": "varnish:6081"}, "EDGE_PURGE_URLS"),
        ({"EDGE_PURGE_TIMEOUT": "0"}, "EDGE_PURGE_TIMEOUT"),
    ],
)
def test_settings_refuse_a_bad_caching_configuration(monkeypatch, environment, message):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        runpy.run_path(base_settings.__file__)


# Surrogate keys ----------------------------------------------------------------------------------


def test_a_story_page_names_everything_it_shows(client):
    authors = [AuthorFactory(), AuthorFactory()]
    article = published_story(tags=["пожар", "выборы"], authors=authors)
    elsewhere = ArticleFactory()  # teased from another region
    RelatedLinkFactory(article=article, target_article=elsewhere, external_url="")
    RelatedLinkFactory(article=article)  # an external link: nothing of ours
    read_also = ArticleFactory(region=article.region, tags=["пожар"])
    ArticleFactory(region=article.region)  # shares no tag: not shown, not named
    tags = {tag.name: tag.pk for tag in article.tags.all()}
    region = article.region_id

    response = client.get(article.get_absolute_url())

    assert keys_of(response) == {
        "all",
        "nav",
        f"story-{article.pk}",
        f"region-{region}",
        f"photo-{article.main_photo_id}",
        *(f"author-{author.pk}" for author in authors),
        *(f"tag-{pk}" for pk in tags.values()),
        *(f"stories-region-{region}-tag-{pk}" for pk in tags.values()),
        f"story-{elsewhere.pk}",
        f"region-{elsewhere.region_id}",
        f"story-{read_also.pk}",
    }


def test_a_listing_names_its_cards_and_itself(client):
    region = RegionFactory()
    with_photo = published_story(region=region)
    without = ArticleFactory(region=region)
    ArticleFactory()  # another region's

    response = client.get(region.get_absolute_url())

    assert keys_of(response) == {
        "all",
        "nav",
        f"region-{region.pk}",
        f"stories-region-{region.pk}",
        f"story-{with_photo.pk}",
        f"photo-{with_photo.main_photo_id}",
        f"story-{without.pk}",
    }


def test_the_home_page_names_the_site_listing_and_its_breaking_block(client):
    breaking = ArticleFactory(is_breaking=True)
    latest = ArticleFactory()
    keys = keys_of(client.get("/"))
    assert {"stories", f"story-{breaking.pk}", f"story-{latest.pk}"} <= keys


def test_tag_and_author_pages_name_their_owner_and_listing(client):
    photo = PhotoFactory()
    author = AuthorFactory(photo=photo)
    article = ArticleFactory(tags=["выборы"], authors=[author])
    tag = article.tags.get()
    assert {f"tag-{tag.pk}", f"stories-tag-{tag.pk}", f"story-{article.pk}"} <= keys_of(
        client.get(tag.get_absolute_url())
    )
    assert {
        f"author-{author.pk}",
        f"stories-author-{author.pk}",
        f"photo-{photo.pk}",
        f"story-{article.pk}",
    } <= keys_of(client.get(author.get_absolute_url()))


def test_a_feed_names_each_item_and_what_it_shows(client):
    author = AuthorFactory()
    article = published_story(tags=["выборы"], authors=[author])
    tag = article.tags.get()
    assert keys_of(client.get(f"/{article.region.slug}/feed/")) == {
        "all",
        f"region-{article.region_id}",
        f"stories-region-{article.region_id}",
        f"story-{article.pk}",
        f"photo-{article.main_photo_id}",
        f"author-{author.pk}",
        f"tag-{tag.pk}",
    }


def test_a_sitemap_depends_on_every_story(client):
    ArticleFactory()
    for url in ("/sitemap.xml", "/sitemap-stories.xml", "/sitemap-regions.xml"):
        assert keys_of(client.get(url)) == {"all", "every-story"}


def test_a_not_found_page_names_what_could_make_it_a_page(client):
    hidden = ArticleFactory(unpublished=True)
    assert keys_of(client.get("/no-such-region/")) == {"all", "nav", "not-found"}
    response = client.get(hidden.get_absolute_url())
    assert response.status_code == 404
    assert {"not-found", f"story-{hidden.pk}"} <= keys_of(response)


def test_an_old_address_redirect_names_the_story(client):
    article = ArticleFactory()
    response = client.get(f"/{article.region.slug}/{article.pk}-old-slug/")
    assert response.status_code == 301
    assert {f"story-{article.pk}", f"region-{article.region_id}"} <= keys_of(response)


# Kept only until the page changes by itself -----------------------------------------------------


def in_seconds(seconds: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=seconds)


def assert_capped_at(response, seconds: int):
    assert seconds - 5 <= seconds_kept(response) <= seconds
    # Nobody may get the page past that moment, not even while a cache revalidates it.
    assert "stale-while-revalidate" not in response["Cache-Control"]
    assert "stale-if-error=86400" in response["Cache-Control"]


def test_a_listing_is_kept_only_until_its_next_scheduled_story(client):
    region, other = RegionFactory(), RegionFactory()
    ArticleFactory(region=region)
    ArticleFactory(region=other)
    ArticleFactory(region=region, published_at=in_seconds(100))

    assert_capped_at(client.get(region.get_absolute_url()), 100)
    assert_capped_at(client.get("/"), 100)
    assert_capped_at(client.get(reverse("articles:site_feed")), 100)
    assert_capped_at(client.get(f"/{region.slug}/feed/"), 100)
    assert_capped_at(client.get("/sitemap.xml"), 100)
    assert_capped_at(client.get("/sitemap-stories.xml"), 100)
    # Another region's page will not show it.
    assert client.get(other.get_absolute_url())["Cache-Control"] == PUBLIC


def test_an_empty_listing_is_kept_only_until_its_first_story(client):
    region = RegionFactory()
    ArticleFactory(region=region, published_at=in_seconds(100))
    response = client.get(region.get_absolute_url())
    assert "Здесь пока нет" in text(response)
    assert_capped_at(response, 100)


def test_a_listing_is_kept_only_until_a_story_on_it_is_taken_down(client):
    region = RegionFactory()
    ArticleFactory(region=region, unpublish_at=in_seconds(200))
    assert_capped_at(client.get(region.get_absolute_url()), 200)
    assert_capped_at(client.get(f"/{region.slug}/feed/"), 200)
    assert_capped_at(client.get("/sitemap-stories.xml"), 200)
    assert_capped_at(client.get("/sitemap-regions.xml"), 200)


def test_the_home_page_is_kept_until_its_breaking_block_changes(client):
    ArticleFactory(
        is_breaking=True, published_at=timezone.now() - datetime.timedelta(hours=23, minutes=57)
    )
    # The block holds stories of the last 24 hours: this one leaves it in three minutes.
    assert_capped_at(client.get("/"), 180)


def test_the_news_sitemap_is_kept_until_its_oldest_story_turns_two_days_old(client):
    ArticleFactory(published_at=timezone.now() - datetime.timedelta(hours=47, minutes=59))
    assert_capped_at(client.get("/sitemap-news.xml"), 60)


def test_a_story_page_is_kept_until_what_it_shows_changes(client, committed):
    with committed():
        article = ArticleFactory(tags=["пожар"], unpublish_at=in_seconds(250))
    assert_capped_at(client.get(article.get_absolute_url()), 250)

    # A story that will join its "read also": same region, a shared tag. Saving it purges the
    # rail, which is made again with its time.
    with committed():
        ArticleFactory(region=article.region, tags=["пожар"], published_at=in_seconds(200))
    assert_capped_at(client.get(article.get_absolute_url()), 200)
    # Read from the fragment cache, the rail keeps the time it was made with.
    assert_capped_at(client.get(article.get_absolute_url()), 200)

    # A scheduled story a teaser of it links to.
    with committed():
        target = ArticleFactory(published_at=in_seconds(100))
        RelatedLinkFactory(article=article, target_article=target, external_url="")
    assert_capped_at(client.get(article.get_absolute_url()), 100)
    assert_capped_at(client.get(article.get_absolute_url()), 100)


def test_a_search_page_is_kept_until_the_next_story_of_the_site_comes_out(client, committed):
    with committed():
        ArticleFactory(headline="Ледоход на реке")
        ArticleFactory(headline="Другое", published_at=in_seconds(250))
    for _ in range(2):  # made, then with the site's next release from the fragment cache
        assert_capped_at(client.get("/search/", {"q": "ледоход"}), 250)
        assert_capped_at(client.get("/search/", {"q": "дирижабль"}), 250)
    # Scheduling a story anywhere purges the cached release: the pages know the sooner time.
    with committed():
        ArticleFactory(headline="Третье", published_at=in_seconds(100))
    assert_capped_at(client.get("/search/", {"q": "ледоход"}), 100)
    assert_capped_at(client.get("/search/", {"q": "дирижабль"}), 100)


def test_a_story_page_ignores_scheduled_stories_it_will_not_show(client):
    article = ArticleFactory(tags=["пожар"])
    ArticleFactory(region=article.region, published_at=in_seconds(100))  # no shared tag
    ArticleFactory(tags=["пожар"], published_at=in_seconds(100))  # another region
    assert client.get(article.get_absolute_url())["Cache-Control"] == PUBLIC


def test_not_found_pages_are_kept_until_the_next_publication(client):
    ArticleFactory(published_at=in_seconds(120))
    assert_capped_at(client.get("/no-such-region/"), 120)


def test_the_archive_of_a_day_to_come_is_not_found_until_its_midnight(client):
    region = RegionFactory(time_zone="UTC")
    tomorrow = timezone.now().astimezone(datetime.UTC).date() + datetime.timedelta(days=1)
    midnight = datetime.datetime.combine(tomorrow, datetime.time.min, tzinfo=datetime.UTC)
    response = client.get(f"/{region.slug}/{tomorrow:%Y/%m/%d}/")
    assert response.status_code == 404
    left = int((midnight - timezone.now()).total_seconds())
    if left < 300:
        assert_capped_at(response, left)
    else:
        assert response["Cache-Control"] == PUBLIC
    far = client.get(f"/{region.slug}/9999/12/31/")
    assert far.status_code == 404 and far["Cache-Control"] == PUBLIC


def test_a_scheduled_story_appears_on_time_with_no_purge(client, page_cache, purged):
    region = RegionFactory()
    ArticleFactory(region=region)
    ArticleFactory(region=region, headline="Выходит сейчас", published_at=in_seconds(2))
    first = client.get(region.get_absolute_url())
    assert "Выходит сейчас" not in text(first)
    assert from_cache(client.get(region.get_absolute_url()))
    time.sleep(2.1)
    again = client.get(region.get_absolute_url())
    assert "Выходит сейчас" in text(again) and not from_cache(again)
    assert purged == []


# The page cache --------------------------------------------------------------------------------


def test_a_hit_is_answered_before_the_rest_of_the_stack(client, page_cache):
    article = published_story(tags=["выборы"])
    first = client.get(article.get_absolute_url())
    assert not from_cache(first)
    with (
        CaptureQueriesContext(connection) as queries,
        mock.patch("articles.views.story_page_context", side_effect=AssertionError),
    ):
        hit = client.get(article.get_absolute_url())
    assert len(queries) == 0
    assert from_cache(hit)
    assert hit.content == first.content
    assert {k: v for k, v in hit.items() if k != "Age"} == dict(first.items())


def test_a_hit_answers_head_and_conditional_requests(client, page_cache):
    article = published_story()
    first = client.get(article.get_absolute_url())
    head = client.head(article.get_absolute_url())
    assert from_cache(head) and head.content == b"" and head["ETag"] == first["ETag"]
    not_modified = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304 and from_cache(not_modified)
    assert not_modified.content == b""


def test_each_query_string_is_its_own_entry(client, page_cache):
    region = RegionFactory()
    for n in range(21):
        ArticleFactory(region=region, headline=f"Новость {n:02d}")
    client.get(region.get_absolute_url())
    second = client.get(region.get_absolute_url(), {"page": "2"})
    assert not from_cache(second) and "Новость 00" in text(second)
    assert from_cache(client.get(region.get_absolute_url(), {"page": "2"}))


def test_a_session_cookie_goes_past_the_cache(client, page_cache, admin_user):
    article = published_story()
    client.get(article.get_absolute_url())
    client.force_login(admin_user)
    response = client.get(article.get_absolute_url())
    assert not from_cache(response) and response["Cache-Control"] == PRIVATE


def test_the_desk_and_previews_are_never_kept(client, page_cache):
    draft = ArticleFactory(draft=True)
    for url in (reverse("admin:login"), preview_path(draft)):
        client.get(url)
        assert not from_cache(client.get(url))


def test_a_not_found_page_is_kept_and_purged_when_the_story_comes_out(
    client, page_cache, committed, admin_user
):
    with committed():
        article = ArticleFactory(in_review=True)
    url = f"/{article.region.slug}/{article.pk}-{article.slug}/"
    assert client.get(url).status_code == 404
    assert from_cache(client.get(url))
    with committed():
        workflow.publish(article=article, user=admin_user)
    response = client.get(url)
    assert response.status_code == 200 and not from_cache(response)


def test_a_host_the_site_does_not_serve_is_refused_even_when_cached(client, page_cache):
    article = published_story()
    client.get(article.get_absolute_url())
    assert client.get(article.get_absolute_url(), HTTP_HOST="evil.example").status_code == 400


def test_plain_http_is_sent_to_https_before_the_cache_answers(client, page_cache, settings):
    settings.SECURE_SSL_REDIRECT = True
    article = published_story()
    client.get(article.get_absolute_url(), secure=True)
    assert from_cache(client.get(article.get_absolute_url(), secure=True))
    response = client.get(article.get_absolute_url())
    assert response.status_code == 301 and response["Location"].startswith("https://")


def test_a_page_made_while_a_purge_came_in_is_not_kept(client, page_cache):
    article = published_story()
    from articles import views

    real = views.story_page_context

    def purged_meanwhile(story, request=None):
        context = real(story, request)
        pagecache.purge([f"story-{story.pk}"])  # an editor's save, committed mid-render
        return context

    with mock.patch("articles.views.story_page_context", side_effect=purged_meanwhile):
        response = client.get(article.get_absolute_url())
    assert response["Cache-Control"] == PRIVATE
    assert not response.has_header("Surrogate-Key")
    assert not from_cache(client.get(article.get_absolute_url()))


@pytest.mark.parametrize(
    "url",
    [
        "/?" + "x=" + "я" * 5000,
        "/%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82/",
        "/%FF%FE/",
        "/?page=abc",
        "/search/?q=%00%01",
        "/feeds/rss/?" + "&".join(f"a{n}=b" for n in range(500)),
    ],
)
def test_hostile_addresses_never_break_the_cache(client, page_cache, url):
    ArticleFactory()
    first = client.get(url)
    assert first.status_code in (200, 404)
    again = client.get(url)
    assert again.status_code == first.status_code
    assert again.content == first.content


def test_with_the_page_cache_off_nothing_is_kept(client):
    article = published_story()
    client.get(article.get_absolute_url())
    assert not from_cache(client.get(article.get_absolute_url()))


# Purges after writes -------------------------------------------------------------------------


@pytest.fixture
def site(committed):
    """Two regions' pages, a story on each, all committed: what the purge tests change."""
    with committed():
        here, there = RegionFactory(slug="here"), RegionFactory(slug="there")
        author = AuthorFactory(slug="avtor")
        # As the desk sets times: to the second, as the story form shows and posts them.
        an_hour_ago = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=1)
        story = published_story(
            region=here, tags=["пожар"], authors=[author], published_at=an_hour_ago
        )
        other = ArticleFactory(region=there, headline="Там тихо")
    return {"here": here, "there": there, "author": author, "story": story, "other": other}


def warm(client, *urls):
    for url in urls:
        client.get(url)
        assert from_cache(client.get(url)), url


def test_editing_a_published_story_purges_the_pages_showing_it_and_no_other(
    client, admin_client, page_cache, committed, site, purged
):
    story = site["story"]
    warm(client, story.get_absolute_url(), "/", "/here/", "/there/", "/tags/pozhar/")
    with committed():
        response = admin_client.post(
            reverse("admin:articles_article_change", args=[story.pk]),
            story_data(story, headline="Пожар потушен", tags=[str(story.tags.get().pk)]),
        )
    assert response.status_code == 302
    assert purged == [{f"story-{story.pk}", "every-story"}]
    for url in (story.get_absolute_url(), "/", "/here/", "/tags/pozhar/"):
        fresh = client.get(url)
        assert "Пожар потушен" in text(fresh) and not from_cache(fresh), url
    assert from_cache(client.get("/there/"))


def test_publishing_purges_every_listing_the_story_joins(
    client, admin_user, page_cache, committed, site, purged
):
    with committed():
        story = ArticleFactory(
            region=site["here"], in_review=True, tags=["пожар"], authors=[site["author"]]
        )
    assert purged == []  # a story in review shows nowhere
    listings = ["/", "/here/", "/tags/pozhar/", "/authors/avtor/", "/feeds/rss/", "/here/feed/"]
    warm(client, *listings, "/there/", "/sitemap.xml")

    with committed():
        workflow.publish(article=story, user=admin_user)

    tag = Tag.objects.get(name="пожар")
    here = site["here"].pk
    assert purged[-1] == {
        f"story-{story.pk}",
        "every-story",
        "stories",
        f"stories-region-{here}",
        f"stories-tag-{tag.pk}",
        f"stories-region-{here}-tag-{tag.pk}",
        f"stories-author-{site['author'].pk}",
        "not-found",
    }
    for url in listings:
        fresh = client.get(url)
        assert story.headline in text(fresh) and not from_cache(fresh), url
    assert not from_cache(client.get("/sitemap.xml"))
    assert from_cache(client.get("/there/"))


def test_unpublishing_takes_the_story_off_every_page_at_once(
    client, admin_user, page_cache, committed, site
):
    story = site["story"]
    warm(client, story.get_absolute_url(), "/", "/here/")
    with committed():
        workflow.unpublish(article=story, user=admin_user)
    assert client.get(story.get_absolute_url()).status_code == 404
    for url in ("/", "/here/"):
        assert story.headline not in text(client.get(url))


def test_scheduling_purges_the_listings_which_are_then_kept_until_the_time(
    client, admin_user, page_cache, committed, site
):
    with committed():
        story = ArticleFactory(region=site["here"], draft=True)
    warm(client, "/here/")
    with committed():
        workflow.publish(article=story, user=admin_user, at=in_seconds(120))
    response = client.get("/here/")
    assert not from_cache(response)
    assert_capped_at(response, 120)


def test_a_correction_shows_on_the_story_page_at_once(
    client, admin_user, page_cache, committed, site, purged
):
    story = site["story"]
    warm(client, story.get_absolute_url(), "/there/")
    with committed():
        add_correction(article=story, user=admin_user, text="Уточнено число пострадавших.")
    assert purged == [{f"story-{story.pk}", "every-story"}]
    assert "Уточнено число пострадавших." in text(client.get(story.get_absolute_url()))
    assert from_cache(client.get("/there/"))


@pytest.mark.parametrize(
    ("status", "step"),
    [("draft", "submit"), ("review", "send_back"), ("unpublished", "to_draft")],
)
def test_steps_between_states_readers_never_see_purge_nothing(
    admin_user, committed, purged, status, step
):
    with committed():
        story = ArticleFactory(status=status)
    purged.clear()
    with committed():
        workflow.take(article=story, user=admin_user, name=step, comment="Поправьте лид.")
    assert purged == []


def test_a_draft_saved_in_the_desk_purges_nothing(admin_client, committed, purged):
    with committed():
        draft = ArticleFactory(draft=True)
    purged.clear()
    with committed():
        admin_client.post(
            reverse("admin:articles_article_change", args=[draft.pk]),
            story_data(draft, headline="Черновик, версия 2"),
        )
    assert purged == []


def test_a_new_byline_purges_the_authors_page(client, admin_client, page_cache, committed, site):
    story = site["story"]
    with committed():
        newcomer = AuthorFactory(slug="novichok")
        ArticleFactory(authors=[newcomer])
    warm(client, "/authors/novichok/", story.get_absolute_url())
    data = story_data(story) | {
        "bylines-TOTAL_FORMS": "2",
        "bylines-INITIAL_FORMS": "1",
        "bylines-0-id": str(story.bylines.get().pk),
        "bylines-0-author": str(site["author"].pk),
        "bylines-0-position": "0",
        "bylines-1-author": str(newcomer.pk),
        "bylines-1-position": "1",
    }
    with committed():
        response = admin_client.post(
            reverse("admin:articles_article_change", args=[story.pk]), data
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert story.headline in text(client.get("/authors/novichok/"))
    assert newcomer.name in text(client.get(story.get_absolute_url()))


def test_restoring_a_revision_purges_the_story_and_the_bylines_it_brings_back(
    client, admin_user, page_cache, committed, site
):
    from articles.publishing import revisions

    story = site["story"]
    with revisions.revision(admin_user, "как было"):
        revisions.keep(story)
    version = revisions.history(story).first()
    with committed():
        other = AuthorFactory(slug="drugoy")
        ArticleFactory(authors=[other])
        story.bylines.update(author=other)  # written around the signals, as an import would
        Article.objects.filter(pk=story.pk).update(headline="Заголовок после правки")
    warm(client, story.get_absolute_url(), "/authors/avtor/")
    with committed():
        revisions.restore(article=story, version=version, user=admin_user)
    assert story.headline in text(client.get(story.get_absolute_url()))
    # The restored byline's author lists the story again: restore writes bylines in bulk.
    assert story.headline in text(client.get("/authors/avtor/"))


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (lambda site: Photo.objects.filter(pk=site["story"].main_photo_id), "caption"),
        (lambda site: Author.objects.filter(pk=site["author"].pk), "name"),
        (lambda site: Tag.objects.filter(name="пожар"), "name"),
        (lambda site: Region.objects.filter(pk=site["here"].pk), "name"),
    ],
)
def test_editing_a_photo_author_tag_or_region_purges_the_pages_showing_it(
    client, page_cache, committed, site, change, shown
):
    story = site["story"]
    warm(client, story.get_absolute_url())
    with committed():
        thing = change(site).get()
        setattr(thing, shown, "Переименовано в редакции")
        thing.save()
    assert "Переименовано в редакции" in text(client.get(story.get_absolute_url()))


def test_renaming_a_region_changes_every_pages_navigation(client, page_cache, committed, site):
    warm(client, "/there/", site["other"].get_absolute_url())
    with committed():
        region = Region.objects.get(pk=site["here"].pk)
        region.name = "Новое имя региона"
        region.save()
    for url in ("/there/", site["other"].get_absolute_url()):
        assert "Новое имя региона" in text(client.get(url))


def test_switching_a_region_off_purges_everything(committed, site, purged):
    with committed():
        region = Region.objects.get(pk=site["there"].pk)
        region.is_active = False
        region.save()
    assert purged == [{"all"}]


def test_merging_tags_purges_the_target_tags_pages(client, page_cache, committed, site):
    with committed():
        moved = ArticleFactory(region=site["here"], tags=["возгорание"])
    warm(client, "/tags/pozhar/")
    with committed():
        merge_tags(
            target=Tag.objects.get(name="пожар"), sources=[Tag.objects.get(name="возгорание")]
        )
    assert moved.headline in text(client.get("/tags/pozhar/"))


def test_a_rolled_back_write_purges_nothing_and_leaves_the_next_one_whole(
    admin_user, committed, site, purged
):
    story = site["story"]
    with committed():
        with pytest.raises(RuntimeError), transaction.atomic():
            workflow.unpublish(article=story, user=admin_user)
            raise RuntimeError("the request failed after the step")
    assert purged == []
    with committed():
        add_correction(article=story, user=admin_user, text="Исправлено.")
    assert purged == [{f"story-{story.pk}", "every-story"}]


@pytest.mark.django_db(transaction=True)
def test_a_write_outside_a_transaction_purges_as_it_is_saved(client, page_cache, purged):
    story = ArticleFactory()
    warm(client, story.get_absolute_url())
    purged.clear()
    story.headline = "Сохранено из консоли"
    story.save()  # the shell's autocommit: saved, and purged, as save() returns
    assert purged == [{f"story-{story.pk}", "every-story"}]
    assert "Сохранено из консоли" in text(client.get(story.get_absolute_url()))


# The queue and the edge --------------------------------------------------------------------------


class Edge(Peer):
    """A stand-in edge: records each PURGE and answers from a script, then 200."""

    def __init__(self):
        self.purges, self.answers = [], []
        edge = self

        class Handler(QuietHandler):
            def do_PURGE(self):
                edge.purges.append(self.headers["xkey-purge"].split())
                self.answer(edge.answers.pop(0) if edge.answers else 200)

        super().__init__(Handler)


@pytest.fixture
def fake_edge(settings):
    edge_ = Edge()
    settings.EDGE_PURGE_URLS = [edge_.url]
    settings.EDGE_PURGE_TIMEOUT = 1
    settings.EDGE_PURGE_MAX_ATTEMPTS = 2
    settings.EDGE_PURGE_RETRY_DELAY = 1
    yield edge_
    edge_.stop()


def queued_purges():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(queue_name="purges")


def test_with_an_edge_the_purge_is_queued_after_commit_and_sent_by_the_worker(
    admin_user, committed, site, fake_edge
):
    story = site["story"]
    with committed():
        add_correction(article=story, user=admin_user, text="Исправлено.")
        assert not queued_purges().exists()  # not before the commit
    task = queued_purges().get()
    assert task.args_kwargs["kwargs"]["keys"] == ["every-story", f"story-{story.pk}"]
    assert fake_edge.purges == []  # the editor's request never waits for the edge

    run_purge_worker()

    assert fake_edge.purges == [["every-story", f"story-{story.pk}"]]
    assert queued_purges().get().status == "SUCCESSFUL"


def test_an_edge_that_fails_is_tried_again_then_the_task_fails(fake_edge, settings):
    fake_edge.answers = [503, 503]
    purges.purge_pages.call(keys=["story-1"])
    retry = queued_purges().get()
    assert retry.args_kwargs["kwargs"] == {
        "keys": ["story-1"],
        "edges": [fake_edge.url],
        "attempt": 2,
    }
    with pytest.raises(purges.EdgePurgeError, match="story-1"):
        purges.purge_pages.call(keys=["story-1"], edges=[fake_edge.url], attempt=2)
    assert fake_edge.purges == [["story-1"], ["story-1"]]


def test_an_edge_that_is_down_is_an_outcome_not_a_crash(settings):
    settings.EDGE_PURGE_TIMEOUT = 1
    assert edge.purge("http://127.0.0.1:9/", ["story-1"]).startswith("ConnectionRefusedError")


def test_many_keys_go_in_several_purge_requests(fake_edge):
    keys = [f"story-{n}" for n in range(2000)]
    assert edge.purge(fake_edge.url, keys) == 200
    assert [key for request in fake_edge.purges for key in request] == keys
    assert len(fake_edge.purges) > 1
    assert all(len(" ".join(request)) <= edge.MAX_HEADER_CHARS for request in fake_edge.purges)


def run_purge_worker():
    """The queued purges, as their worker runs them, then stop."""
    run_worker(queue_name="purges")


def test_the_operator_purges_by_key_or_everything(client, page_cache, fake_edge):
    import io

    from django.core.management import CommandError, call_command

    article = published_story()
    warm(client, article.get_absolute_url(), "/robots.txt")
    call_command("purge_pages", f"story-{article.pk}", stdout=io.StringIO())
    assert not from_cache(client.get(article.get_absolute_url()))
    assert from_cache(client.get("/robots.txt"))
    call_command("purge_pages", "--all", stdout=io.StringIO())
    assert not from_cache(client.get("/robots.txt"))
    assert fake_edge.purges == [[f"story-{article.pk}"], ["all"]]
    for bad in ([], ["story 1"], ["<script>"]):
        with pytest.raises(CommandError):
            call_command("purge_pages", *bad, stdout=io.StringIO())


def test_regional_blocks_and_a_breaking_lead_are_named_and_capped(client):
    region = RegionFactory()
    lead = ArticleFactory(
        region=region,
        is_breaking=True,
        published_at=timezone.now() - datetime.timedelta(hours=23, minutes=58),
    )
    assert_capped_at(client.get(region.get_absolute_url()), 120)
    home = client.get("/")
    assert f"story-{lead.pk}" in keys_of(home)


# The page cache on Redis -------------------------------------------------------------------------

REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_available() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


def require_redis() -> None:
    """Skip a test that needs the real Redis when none answers; with NEWSROOM_REQUIRE_REDIS=1
    (as CI sets it), fail instead."""
    if redis_available():
        return
    if os.environ.get("NEWSROOM_REQUIRE_REDIS") == "1":
        pytest.fail("NEWSROOM_REQUIRE_REDIS=1 but no Redis answers at " + REDIS_URL)
    pytest.skip("no Redis server at 127.0.0.1:6379 (apt-get install redis-server)")


@pytest.fixture
def on_redis(settings, page_cache):
    """The default cache on a Redis server, under a prefix of this test's own."""
    import uuid

    import redis

    require_redis()
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield redis.Redis.from_url(REDIS_URL)
    server = redis.Redis.from_url(REDIS_URL)
    names = list(server.scan_iter(f"{prefix}:*"))
    if names:
        server.delete(*names)


def test_on_redis_a_hit_is_one_read_and_the_index_expires_with_its_entries(client, on_redis):
    assert pagecache.shared()
    article = published_story()
    client.get(article.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        assert from_cache(client.get(article.get_absolute_url()))
    assert len(queries) == 0
    index = [n for n in on_redis.scan_iter(f"*pagecache:key:story-{article.pk}")]
    assert len(index) == 1
    assert 300 < on_redis.ttl(index[0]) <= 300 + pagecache.INDEX_GRACE_SECONDS


def test_on_redis_the_purge_waits_for_the_queue(
    client, on_redis, admin_user, committed, django_capture_on_commit_callbacks
):
    with committed():
        article = published_story()
    run_purge_worker()  # what the setup queued
    warm(client, article.get_absolute_url(), "/robots.txt")
    with committed():
        add_correction(article=article, user=admin_user, text="Исправлено.")
    # Every app server shares this cache: the worker purges it, never the editor's request.
    assert from_cache(client.get(article.get_absolute_url()))
    assert queued_purges().filter(status="READY").count() == 1
    run_purge_worker()
    fresh = client.get(article.get_absolute_url())
    assert "Исправлено." in text(fresh) and not from_cache(fresh)
    assert from_cache(client.get("/robots.txt"))


def test_on_redis_a_page_made_while_a_purge_came_in_is_not_kept(client, on_redis):
    article = published_story()
    from articles import views

    real = views.story_page_context

    def purged_meanwhile(story, request=None):
        context = real(story, request)
        purges.purge_pages.call(keys=[f"story-{story.pk}"])  # another server's worker
        return context

    with mock.patch("articles.views.story_page_context", side_effect=purged_meanwhile):
        response = client.get(article.get_absolute_url())
    assert response["Cache-Control"] == PRIVATE
    assert not from_cache(client.get(article.get_absolute_url()))
    assert from_cache(client.get(article.get_absolute_url()))
