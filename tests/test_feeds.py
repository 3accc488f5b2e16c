import datetime
import html
import re
import xml.etree.ElementTree as ET
from unittest import mock

import feedparser
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date

from articles.feeds import FEED_SIZE
from articles.models import Article, PhotoRendition
from articles.renditions import build_renditions
from articles.sanitizer import plain_text, sanitize_html
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    PhotoFactory,
    RegionFactory,
    bulk_published_stories,
    make_image_bytes,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
SITE_URL = "https://news.example.ru"
YANDEX = "{http://news.yandex.ru}"
RSS_FEEDS = ["/feeds/rss/", "/kaliningrad/feed/", "/tags/pozhary/feed/", "/authors/sokolova/feed/"]
FULL_TEXT_FEEDS = ["/feeds/yandex/", "/kaliningrad/feed/yandex/"]
ALL_FEEDS = RSS_FEEDS + FULL_TEXT_FEEDS
# Namespace names are identifiers, not links: the only URLs not on SITE_URL a feed may carry.
NAMESPACES = ("http://www.w3.org/2005/Atom", "http://purl.org/dc/", "http://news.yandex.ru")


@pytest.fixture(autouse=True)
def _public_address(settings):
    settings.SITE_URL = SITE_URL


def parse(response) -> feedparser.FeedParserDict:
    """A feed as every feed must be: RSS 2.0 by its content type, well-formed for feedparser."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "rss20"
    return feed


def xml_items(response) -> list[ET.Element]:
    # The document is the one the test just rendered, not untrusted input.
    return ET.fromstring(response.content).findall("channel/item")  # noqa: S314


def small_photo():
    """A photo with its renditions: small, so building them costs the suite little."""
    photo = PhotoFactory(image=ContentFile(make_image_bytes(120, 80), name="photo.jpg"))
    build_renditions(photo)
    return photo


@pytest.fixture
def story():
    """A complete story in Kaliningrad: photo, two authors, two tags."""
    return ArticleFactory(
        region=RegionFactory(name="Калининград", slug="kaliningrad"),
        headline="Склад горел на Московском проспекте",
        lead="Пожар потушили за два часа.",
        body="<p>Первый абзац.</p><h2>Что известно</h2><p>Второй абзац.</p>",
        published_at=datetime.datetime(2019, 3, 27, 13, 15, tzinfo=UTC),
        main_photo=small_photo(),
        authors=[
            AuthorFactory(name="Анна Соколова", slug="sokolova"),
            AuthorFactory(name="Олег Юдин"),
        ],
        tags=["пожары", "Московский проспект"],
    )


class TestItems:
    def test_item_carries_title_link_guid_date_authors_tags_lead_and_photo(self, client, story):
        response = client.get("/feeds/rss/")
        (entry,) = parse(response).entries
        canonical = SITE_URL + story.get_absolute_url()
        assert entry.title == "Склад горел на Московском проспекте"
        assert entry.link == entry.id == canonical
        assert xml_items(response)[0].find("guid").get("isPermaLink") == "true"
        # On the region's clock, with its offset, as the dateline shows it.
        assert entry.published == "Wed, 27 Mar 2019 15:15:00 +0200"
        assert entry.author == "Анна Соколова, Олег Юдин"
        assert sorted(tag.term for tag in entry.tags) == ["Московский проспект", "пожары"]
        assert entry.summary == "Пожар потушили за два часа."
        (enclosure,) = entry.enclosures
        og = PhotoRendition.objects.get(photo=story.main_photo, spec="og")
        assert enclosure.href == SITE_URL + og.file.url
        assert enclosure.type == "image/jpeg"
        assert int(enclosure.length) == og.file.size > 0

    @pytest.mark.parametrize("url", ALL_FEEDS)
    def test_every_url_is_on_site_url_whatever_host_the_request_came_to(self, client, story, url):
        response = client.get(url, HTTP_HOST="localhost", secure=True)
        feed = parse(response)
        body = response.content.decode()
        assert "localhost" not in body and "testserver" not in body
        urls = [u for u in re.findall(r"https?://[^\s<\"]+", body) if not u.startswith(NAMESPACES)]
        assert urls and all(u.startswith(SITE_URL + "/") for u in urls)
        assert feed.feed.link.startswith(SITE_URL + "/")
        assert f'<atom:link href="{SITE_URL}{url}" rel="self"/>' in body

    def test_feed_holds_the_newest_fifty_published_stories_newest_first(self, client):
        bulk_published_stories(RegionFactory(slug="samara"), FEED_SIZE + 1)
        for url in ("/feeds/rss/", "/samara/feed/", "/feeds/yandex/"):
            titles = [entry.title for entry in parse(client.get(url)).entries]
            assert len(titles) == FEED_SIZE == 50
            assert titles[0] == "Новость 00" and titles[-1] == "Новость 49", url

    def test_region_tag_and_author_feeds_hold_only_their_own_stories(self, client, story):
        ArticleFactory(
            region=RegionFactory(slug="perm"),
            headline="Пермская новость",
            authors=[AuthorFactory()],
            tags=["футбол"],
        )
        ArticleFactory(region=story.region, headline="Калининградская без тега и автора")
        expected = {
            "/kaliningrad/feed/": ("Калининград", "/kaliningrad/", 2),
            "/kaliningrad/feed/yandex/": ("Калининград", "/kaliningrad/", 2),
            "/tags/pozhary/feed/": ("пожары", "/tags/pozhary/", 1),
            "/authors/sokolova/feed/": ("Анна Соколова", "/authors/sokolova/", 1),
        }
        for url, (name, page, count) in expected.items():
            feed = parse(client.get(url))
            assert name in feed.feed.title and feed.feed.link == SITE_URL + page, url
            assert len(feed.entries) == count, url
            assert story.headline in [entry.title for entry in feed.entries], url
            assert "Пермская новость" not in [entry.title for entry in feed.entries], url
        assert len(parse(client.get("/feeds/rss/")).entries) == 3

    def test_story_without_photo_or_authors_or_tags_still_makes_a_valid_item(self, client):
        ArticleFactory(main_photo=PhotoFactory())  # a photo whose renditions were never built
        ArticleFactory()
        for url in ("/feeds/rss/", "/feeds/yandex/"):
            for entry in parse(client.get(url)).entries:
                assert not entry.enclosures and "author" not in entry and "tags" not in entry

    def test_rendition_sizes_are_read_from_storage_once_then_from_the_cache(self, client):
        photos = [small_photo(), small_photo()]
        for index in range(4):
            ArticleFactory(main_photo=photos[index % 2])
        with mock.patch.object(
            FileSystemStorage, "size", autospec=True, side_effect=FileSystemStorage.size
        ) as size:
            first = parse(client.get("/feeds/rss/"))
            assert size.call_count == 2  # one per rendition file, however many stories share it
            again = parse(client.get("/feeds/yandex/"))
            assert size.call_count == 2
        assert all(entry.enclosures for entry in first.entries + again.entries)

    def test_missing_rendition_file_leaves_the_story_without_enclosure(self, client, caplog):
        photo = small_photo()
        og = PhotoRendition.objects.get(photo=photo, spec="og")
        og.file.storage.delete(og.file.name)
        ArticleFactory(main_photo=photo)
        (entry,) = parse(client.get("/feeds/rss/")).entries
        assert not entry.enclosures
        assert "cannot size" in caplog.text


class TestTitles:
    HEADLINE = 'Том & Джерри: «<мульт>» и "классика"'

    @pytest.mark.parametrize("url", ALL_FEEDS)
    def test_headline_with_markup_characters_reads_as_written(self, client, story, url):
        Article.objects.filter(pk=story.pk).update(headline=self.HEADLINE)
        response = client.get(url)
        (entry,) = parse(response).entries
        assert entry.title == self.HEADLINE
        (item,) = xml_items(response)
        assert item.findtext("title") == self.HEADLINE

    @pytest.mark.parametrize("url", ALL_FEEDS)
    def test_headline_is_escaped_once_in_the_xml(self, client, story, url):
        Article.objects.filter(pk=story.pk).update(headline=self.HEADLINE)
        body = client.get(url).content.decode()
        assert '<title>Том &amp; Джерри: «&lt;мульт&gt;» и "классика"</title>' in body
        assert "&amp;amp;" not in body and "&amp;lt;" not in body and "&amp;quot;" not in body


class TestFullTextFeed:
    @pytest.mark.parametrize("url", FULL_TEXT_FEEDS)
    def test_aggregator_feed_has_every_element_it_requires(self, client, story, url):
        response = client.get(url)
        entry = parse(response).entries[0]
        assert b'xmlns:yandex="http://news.yandex.ru"' in response.content
        (item,) = xml_items(response)
        assert item.findtext("title") == story.headline
        assert item.findtext("link") == SITE_URL + story.get_absolute_url()
        assert item.findtext("pubDate") == "Wed, 27 Mar 2019 15:15:00 +0200"
        assert item.findtext(f"{YANDEX}genre") == "message"
        assert item.findtext(f"{YANDEX}full-text") == "Первый абзац.\nЧто известно\nВторой абзац."
        enclosure = item.find("enclosure")
        og = PhotoRendition.objects.get(photo=story.main_photo, spec="og")
        assert enclosure.get("url") == SITE_URL + og.file.url
        assert enclosure.get("type") == "image/jpeg"
        assert int(enclosure.get("length")) == og.file.size
        assert entry["yandex_full-text"] and entry.yandex_genre == "message"

    def test_full_text_falls_back_to_the_lead_of_a_story_without_body(self, client):
        ArticleFactory(lead="Срочно: мост закрыт.", body="")
        (item,) = xml_items(client.get("/feeds/yandex/"))
        assert item.findtext(f"{YANDEX}full-text") == "Срочно: мост закрыт."

    @pytest.mark.parametrize(
        ("body", "text"),
        [
            ("<p>Один.</p><p>Два.</p>", "Один.\nДва."),
            ("<h2>Итоги</h2><ul><li>раз</li><li>два</li></ul>", "Итоги\nраз\nдва"),
            (
                "<p>Строка<br>другая</p><blockquote><p>Цитата</p></blockquote>",
                "Строка\nдругая\nЦитата",
            ),
            (
                '<p><strong>Мэр</strong> сказал: <a href="/x/1-y/">&laquo;да&raquo;</a> &amp; он',
                "Мэр сказал: «да» & он",
            ),
            ("<p>&lt;script&gt; — это текст</p>", "<script> — это текст"),
            ("<p>до</p><script>alert(1)</script><style>p{}</style><p>после</p>", "до\nпосле"),
            ("<p>&nbsp;</p><p>  отступ  </p>", "отступ"),
            ("<p>одна\nстрока,   одна\r\n\tмысль</p>", "одна строка, одна мысль"),
            ("", ""),
        ],
    )
    def test_plain_text_is_one_block_a_line_with_entities_decoded(self, body, text):
        # Of a body as stored: sanitized when it was written.
        assert plain_text(sanitize_html(body)) == text


# Everything that has broken a feed somewhere: markup, a CDATA end, entities, quotes and each C0
# control character XML 1.0 forbids (the fields drop them on every ORM write).
CONTROL = "".join(chr(code) for code in range(0x20) if chr(code) not in "\t\n\r")
HOSTILE = f"\"'><script>alert(1)</script>]]><![CDATA[ & &amp; &#0; {CONTROL}конец"
HOSTILE_CLEAN = HOSTILE.replace(CONTROL, "")


def _assert_feeds_are_well_formed_and_keep_the_text(client, headline, lead) -> list[str]:
    """Check every feed; return the full texts, in which no script's content ever shows."""
    full_texts = []
    for url in ALL_FEEDS:
        response = client.get(url)
        parse(response)
        (item,) = xml_items(response)
        if url in FULL_TEXT_FEEDS:
            assert item.findtext("title") == headline, url
            assert item.findtext("description") == lead, url
            full_texts.append(item.findtext(f"{YANDEX}full-text"))
            assert "alert(2)" not in full_texts[-1], url
        else:
            # An RSS title is text, as written; a description is HTML, the lead escaped in it.
            assert item.findtext("title") == headline, url
            assert html.unescape(item.findtext("description")) == lead, url
    return full_texts


def test_hostile_text_never_breaks_a_feed(client):
    ArticleFactory(
        region=RegionFactory(slug="kaliningrad", name=HOSTILE[:90], description=HOSTILE),
        headline=HOSTILE,
        lead=HOSTILE,
        body=f"<p>{HOSTILE}</p><script>alert(2)</script><p>{html.escape(HOSTILE)}</p>",
        authors=[AuthorFactory(name=HOSTILE, slug="sokolova")],
        # Without NUL: taggit looks a name up with `iexact`, which skips the field's cleaning, and
        # PostgreSQL refuses NUL in a query (the admin's form refuses it before that).
        tags=["пожары", HOSTILE.replace("\x00", "")[:90]],
        main_photo=small_photo(),
    )
    full_texts = _assert_feeds_are_well_formed_and_keep_the_text(
        client, HOSTILE_CLEAN, HOSTILE_CLEAN
    )
    # The paragraph that quotes the markup as text reads as written.
    assert all(HOSTILE_CLEAN in text for text in full_texts)


def test_hostile_text_written_by_queryset_update_never_breaks_a_feed(client, story):
    # update() skips save(): the story queryset sanitizes the body it writes.
    Article.objects.filter(pk=story.pk).update(
        headline=HOSTILE, lead=HOSTILE, body=f"<p>{HOSTILE}</p><script>alert(2)</script>"
    )
    _assert_feeds_are_well_formed_and_keep_the_text(client, HOSTILE_CLEAN, HOSTILE_CLEAN)


@pytest.mark.parametrize("state", ["draft", "in_review", "scheduled", "unpublished", "inactive"])
def test_invisible_story_is_absent_from_every_feed(client, state):
    region = RegionFactory(slug="samara", is_active=state != "inactive")
    author = AuthorFactory(slug="avtor")
    traits = {} if state == "inactive" else {state: True}
    hidden = ArticleFactory(
        region=region, headline="Невидимка", authors=[author], tags=["общий"], **traits
    )
    ArticleFactory(
        region=RegionFactory(slug="perm"), headline="Видимая", authors=[author], tags=["общий"]
    )
    urls = ["/feeds/rss/", "/feeds/yandex/", "/perm/feed/", "/tags/obshchy/feed/"]
    urls += ["/authors/avtor/feed/"]
    if state != "inactive":
        urls += ["/samara/feed/", "/samara/feed/yandex/"]
    for url in urls:
        response = client.get(url)
        parse(response)
        body = response.content.decode()
        assert "Невидимка" not in body and f"/{hidden.pk}-" not in body, url
    assert "Видимая" in client.get("/feeds/rss/").content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/nigde/feed/",
        "/nigde/feed/yandex/",
        "/zakryt/feed/",
        "/zakryt/feed/yandex/",
        "/tags/net-takogo/feed/",
        "/authors/nikto/feed/",
        "/authors/ushyol/feed/",
    ],
)
def test_unknown_or_inactive_region_tag_or_author_feed_is_a_404(client, url):
    ArticleFactory(region=RegionFactory(slug="zakryt", is_active=False))
    ArticleFactory(authors=[AuthorFactory(slug="ushyol", is_active=False)])
    # A validator from some other feed never turns a missing one into a 304.
    response = client.get(url, HTTP_IF_MODIFIED_SINCE=http_date(0), HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 404


class TestConditionalGet:
    def test_last_modified_is_the_latest_save_or_publication_of_an_item(self, client):
        old = ArticleFactory()
        due = ArticleFactory()
        ArticleFactory(scheduled=True)  # saved just now, but not in the feed yet
        times = {
            # A correction a day after publication.
            old.pk: ("2024-01-01 09:00", "2024-01-02 09:00"),
            # Scheduled on the 2nd, out on the 3rd: the feed changed when it came out.
            due.pk: ("2024-01-03 12:00", "2024-01-02 07:00"),
        }
        for pk, (published, updated) in times.items():
            Article.objects.filter(pk=pk).update(
                published_at=datetime.datetime.fromisoformat(published + "+00:00"),
                updated_at=datetime.datetime.fromisoformat(updated + "+00:00"),
            )
        for url in ("/feeds/rss/", "/feeds/yandex/"):
            response = client.get(url)
            assert response["Last-Modified"] == "Wed, 03 Jan 2024 12:00:00 GMT"
            assert response["ETag"].startswith('"')
            # A reader that fetched it after the last save but before the story came out.
            since_save = {"HTTP_IF_MODIFIED_SINCE": "Tue, 02 Jan 2024 12:00:00 GMT"}
            assert client.get(url, **since_save).status_code == 200
            since_out = {"HTTP_IF_MODIFIED_SINCE": response["Last-Modified"]}
            assert client.get(url, **since_out).status_code == 304

    @pytest.mark.parametrize("url", ALL_FEEDS)
    def test_unchanged_feed_answers_304_with_one_query_until_a_story_changes(
        self, client, story, url
    ):
        Article.objects.filter(pk=story.pk).update(
            updated_at=timezone.now() - datetime.timedelta(hours=1)
        )
        first = client.get(url)
        for validator in (
            {"HTTP_IF_MODIFIED_SINCE": first["Last-Modified"]},
            {"HTTP_IF_NONE_MATCH": first["ETag"]},
        ):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, **validator)
            assert response.status_code == 304
            assert len(captured) == 1  # the validators: ids and times of the feed's stories
        story.save()  # a correction
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200

    def test_a_story_leaving_the_feed_changes_its_etag(self, client, story):
        ArticleFactory(region=story.region)
        first = client.get("/kaliningrad/feed/")
        Article.objects.filter(pk=story.pk).update(status=Article.Status.UNPUBLISHED)
        response = client.get("/kaliningrad/feed/", HTTP_IF_NONE_MATCH=first["ETag"])
        assert response.status_code == 200
        assert story.headline not in response.content.decode()


def test_feeds_make_the_same_queries_with_one_or_many_stories_authors_and_tags(client):
    region = RegionFactory(slug="kaliningrad")
    author = AuthorFactory(slug="sokolova")
    photos = [small_photo() for _ in range(3)]

    def add_story(index, extra):
        ArticleFactory(
            region=region,
            main_photo=photos[index % len(photos)],
            authors=[author] + [AuthorFactory() for _ in range(extra)],
            tags=["пожары"] + [f"тег {index}-{i}" for i in range(extra)],
        )

    def queries_of(url):
        client.get(url)  # rendition sizes are cached after the first request, as in production
        with CaptureQueriesContext(connection) as captured:
            parse(client.get(url))
        return len(captured)

    # Every feed: the validators (ids and times of its stories); the stories with region and
    # photo; their Open Graph renditions; bylines with authors; tags. Region, tag and author
    # feeds first look up their region, tag or author.
    expected = {url: 5 for url in ("/feeds/rss/", "/feeds/yandex/")}
    expected |= {url: 6 for url in ALL_FEEDS if url not in expected}
    add_story(0, extra=0)
    assert {url: queries_of(url) for url in ALL_FEEDS} == expected
    for index in range(1, 12):
        add_story(index, extra=3)
    assert {url: queries_of(url) for url in ALL_FEEDS} == expected
