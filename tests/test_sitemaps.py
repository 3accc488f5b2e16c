import datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

from articles.metadata import absolute_url
from articles.models import Article, ArticleAuthor, Tag
from articles.sitemaps import NewsSitemap, StorySitemap
from tests.factories import ArticleFactory, AuthorFactory, CorrectionFactory, RegionFactory

pytestmark = pytest.mark.django_db

SITE_URL = "https://news.example.ru"
SCHEMAS = Path(__file__).parent / "data" / "sitemaps"
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
SECTIONS = ["news", "stories", "regions", "tags", "authors"]
UTC = datetime.UTC


@pytest.fixture(scope="session")
def sitemap_schema():
    """The sitemaps.org schema with Google's news namespace imported: one pass validates both."""
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "sitemap-with-news.xsd")))


@pytest.fixture(autouse=True)
def _public_address(settings):
    settings.SITE_URL = SITE_URL
    settings.SITE_NAME = "Новости Региона"


@pytest.fixture
def fetch(client, sitemap_schema):
    """A sitemap document, asked for on a host other than SITE_URL's and checked against the XSD."""

    def fetch(url: str) -> etree._Element:
        response = client.get(url, HTTP_HOST="localhost")
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/xml"
        document = etree.fromstring(response.content)
        sitemap_schema.assertValid(document)
        return document

    return fetch


def locations(document) -> list[str]:
    return document.xpath("//sm:loc/text()", namespaces=NS)


def section_url(section: str) -> str:
    return f"/sitemap-{section}.xml"


def all_locations(fetch) -> set[str]:
    return {loc for section in SECTIONS for loc in locations(fetch(section_url(section)))}


def iso(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).astimezone(UTC)


@pytest.fixture
def newsroom():
    """A published story with an author and a tag, and one story in every hidden state."""
    region = RegionFactory(name="Калининград", slug="kaliningrad", time_zone="Europe/Kaliningrad")
    closed = RegionFactory(name="Закрытый", slug="closed", is_active=False)
    author, hidden_author = AuthorFactory(slug="anna"), AuthorFactory(slug="ghost")
    inactive_author = AuthorFactory(slug="retired", is_active=False)
    story = ArticleFactory(
        region=region, authors=[author, inactive_author], tags=["пожары"], slug="pozhar"
    )
    hidden = [
        ArticleFactory(region=region, draft=True, slug="draft"),
        ArticleFactory(region=region, in_review=True, slug="review"),
        ArticleFactory(region=region, scheduled=True, slug="scheduled"),
        ArticleFactory(region=region, unpublished=True, slug="unpublished"),
        ArticleFactory(region=closed, slug="closed-region"),
    ]
    for article in hidden:
        article.tags.add("скрытый тег")
        ArticleAuthor.objects.create(article=article, author=hidden_author)
    return {"story": story, "region": region, "closed": closed, "hidden": hidden}


class TestIndex:
    def test_lists_every_section_on_site_url_not_the_request_host(self, fetch, newsroom):
        document = fetch("/sitemap.xml")
        assert document.tag == f"{{{NS['sm']}}}sitemapindex"
        assert locations(document) == [f"{SITE_URL}/sitemap-{section}.xml" for section in SECTIONS]

    def test_section_lastmod_is_the_newest_change_of_its_items(self, fetch, newsroom):
        story = newsroom["story"]
        Article.objects.filter(pk=story.pk).update(
            corrected_at=datetime.datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC),
        )
        document = fetch("/sitemap.xml")
        lastmods = dict(
            zip(
                locations(document),
                document.xpath("//sm:sitemap/sm:lastmod/text()", namespaces=NS),
                strict=True,
            )
        )
        assert iso(lastmods[f"{SITE_URL}/sitemap-stories.xml"]) == datetime.datetime(
            2031, 1, 2, 3, 4, 5, tzinfo=UTC
        )
        # A region's page changes when a story comes out, not when one is corrected.
        assert iso(lastmods[f"{SITE_URL}/sitemap-regions.xml"]) == story.published_at.replace(
            microsecond=0
        )

    def test_lists_every_page_of_a_paginated_section(self, fetch, newsroom, monkeypatch):
        ArticleFactory.create_batch(2, region=newsroom["region"])
        monkeypatch.setattr(StorySitemap, "limit", 2)
        stories = [loc for loc in locations(fetch("/sitemap.xml")) if "stories" in loc]
        assert stories == [
            f"{SITE_URL}/sitemap-stories.xml",
            f"{SITE_URL}/sitemap-stories.xml?p=2",
        ]
        paged = locations(fetch("/sitemap-stories.xml")) + locations(
            fetch("/sitemap-stories.xml?p=2")
        )
        expected = Article.objects.published().order_by("published_at", "pk")
        assert paged == [absolute_url(article.get_absolute_url()) for article in expected]

    def test_index_is_valid_with_no_content_at_all(self, fetch):
        assert len(locations(fetch("/sitemap.xml"))) == len(SECTIONS)
        for section in SECTIONS:
            assert locations(fetch(section_url(section))) == []


class TestSections:
    def test_published_story_and_its_listings_are_listed_on_site_url(self, fetch, newsroom):
        story = newsroom["story"]
        tag = Tag.objects.get(name="пожары")
        assert locations(fetch("/sitemap-stories.xml")) == [absolute_url(story.get_absolute_url())]
        assert locations(fetch("/sitemap-regions.xml")) == [
            absolute_url(newsroom["region"].get_absolute_url())
        ]
        assert locations(fetch("/sitemap-tags.xml")) == [absolute_url(tag.get_absolute_url())]
        assert locations(fetch("/sitemap-authors.xml")) == [f"{SITE_URL}/authors/anna/"]
        assert all(loc.startswith(f"{SITE_URL}/") for loc in all_locations(fetch))

    def test_hidden_stories_and_what_only_they_fill_are_absent_everywhere(self, fetch, newsroom):
        listed = all_locations(fetch)
        assert absolute_url(newsroom["story"].get_absolute_url()) in listed
        hidden = [absolute_url(article.get_absolute_url()) for article in newsroom["hidden"]]
        hidden += [
            absolute_url(newsroom["closed"].get_absolute_url()),
            f"{SITE_URL}/authors/ghost/",
            f"{SITE_URL}/authors/retired/",
            absolute_url(Tag.objects.get(name="скрытый тег").get_absolute_url()),
        ]
        assert listed.isdisjoint(hidden)

    def test_active_region_without_stories_is_listed_without_lastmod(self, fetch):
        RegionFactory(slug="empty")
        document = fetch("/sitemap-regions.xml")
        assert locations(document) == [f"{SITE_URL}/empty/"]
        assert document.xpath("//sm:lastmod", namespaces=NS) == []

    def test_story_lastmod_is_its_latest_correction(self, fetch, newsroom):
        story = newsroom["story"]
        corrected = datetime.datetime(2030, 5, 6, 7, 8, 9, tzinfo=UTC)
        Article.objects.filter(pk=story.pk).update(corrected_at=corrected)
        document = fetch("/sitemap-stories.xml")
        [lastmod] = document.xpath("//sm:url/sm:lastmod/text()", namespaces=NS)
        assert iso(lastmod) == corrected

    def test_a_correction_moves_the_story_and_news_lastmod_and_a_resave_does_not(
        self, fetch, newsroom
    ):
        story = newsroom["story"]
        published = story.published_at.replace(microsecond=0)

        def lastmods() -> dict[str, datetime.datetime]:
            found = {}
            for section in ("stories", "news"):
                [lastmod] = fetch(section_url(section)).xpath(
                    "//sm:url/sm:lastmod/text()", namespaces=NS
                )
                found[section] = iso(lastmod)
            return found

        assert lastmods() == {"stories": published, "news": published}
        story.headline = "Склад горел: уточнённый заголовок"
        story.save()  # a plain re-save: not news to crawlers
        assert Article.objects.get(pk=story.pk).updated_at > story.published_at
        assert lastmods() == {"stories": published, "news": published}
        corrected = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=10)
        CorrectionFactory(article=story, created_at=corrected)
        assert lastmods() == {"stories": corrected, "news": corrected}

    def test_scheduled_story_lastmod_is_when_it_came_out(self, fetch, newsroom):
        # Saved yesterday for this morning: the page first existed at its publication time.
        story = newsroom["story"]
        due = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=2)
        Article.objects.filter(pk=story.pk).update(
            published_at=due, updated_at=due - datetime.timedelta(days=1)
        )
        [lastmod] = fetch("/sitemap-stories.xml").xpath("//sm:lastmod/text()", namespaces=NS)
        assert iso(lastmod) == due

    @pytest.mark.parametrize(
        "page", ["abc", "0", "-1", "2", "999999", "1.5", "1e3", "9" * 5000, ""]
    )
    def test_bad_or_out_of_range_page_is_404(self, client, newsroom, page):
        for section in SECTIONS:
            response = client.get(section_url(section), {"p": page})
            assert response.status_code == 404, (section, page)

    def test_unknown_section_is_404(self, client):
        assert client.get("/sitemap-drafts.xml").status_code == 404

    def test_sitemaps_tell_crawlers_not_to_index_them_as_pages(self, client):
        assert client.get("/sitemap.xml")["X-Robots-Tag"].startswith("noindex")


class TestNewsSitemap:
    def test_entry_carries_the_google_news_elements(self, fetch, newsroom):
        story = newsroom["story"]
        Article.objects.filter(pk=story.pk).update(
            headline="Пожар на складе: «горит» & <тушат>",
            published_at=timezone.now().replace(microsecond=0) - datetime.timedelta(hours=3),
        )
        story.refresh_from_db()
        [url] = fetch("/sitemap-news.xml").xpath("//sm:url", namespaces=NS)
        assert url.findtext("sm:loc", namespaces=NS) == absolute_url(story.get_absolute_url())
        news = url.find("news:news", namespaces=NS)
        assert news.findtext("news:publication/news:name", namespaces=NS) == "Новости Региона"
        assert news.findtext("news:publication/news:language", namespaces=NS) == "ru"
        assert news.findtext("news:title", namespaces=NS) == "Пожар на складе: «горит» & <тушат>"
        published = news.findtext("news:publication_date", namespaces=NS)
        # On the region's clock, with its offset, as the story's dateline and JSON-LD show it.
        assert published.endswith("+02:00")
        assert iso(published) == story.published_at

    def test_lists_only_the_last_48_hours_newest_first(self, fetch, newsroom):
        region = newsroom["region"]
        now = timezone.now()
        old = ArticleFactory(region=region, published_at=now - datetime.timedelta(hours=49))
        newest = ArticleFactory(region=region, published_at=now - datetime.timedelta(minutes=5))
        oldest_kept = ArticleFactory(region=region, published_at=now - datetime.timedelta(hours=47))
        listed = locations(fetch("/sitemap-news.xml"))
        assert listed == [
            absolute_url(article.get_absolute_url())
            for article in [newest, newsroom["story"], oldest_kept]
        ]
        assert absolute_url(old.get_absolute_url()) not in listed
        assert absolute_url(old.get_absolute_url()) in locations(fetch("/sitemap-stories.xml"))

    def test_hidden_stories_are_absent(self, fetch, newsroom):
        listed = locations(fetch("/sitemap-news.xml"))
        assert listed == [absolute_url(newsroom["story"].get_absolute_url())]

    def test_holds_at_most_the_limit_newest_stories(self, fetch, newsroom, monkeypatch):
        monkeypatch.setattr(NewsSitemap, "limit", 3)
        now = timezone.now()
        fresh = [
            ArticleFactory(
                region=newsroom["region"], published_at=now - datetime.timedelta(minutes=m)
            )
            for m in (1, 2, 3)
        ]
        assert locations(fetch("/sitemap-news.xml")) == [
            absolute_url(article.get_absolute_url()) for article in fresh
        ]
        # One page only: the index does not point at a second one.
        assert f"{SITE_URL}/sitemap-news.xml?p=2" not in locations(fetch("/sitemap.xml"))

    def test_limits_are_the_protocols(self):
        assert NewsSitemap.limit == 1000
        assert StorySitemap.limit == 50_000


class TestQueryCounts:
    def queries(self, client, url: str) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return [query["sql"] for query in captured]

    def add_stories(self, region, count: int):
        authors = AuthorFactory.create_batch(3)
        for index in range(count):
            ArticleFactory(
                region=region, authors=[authors[index % 3]], tags=[f"тег {index}", "общий"]
            )

    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            # Per section: its newest lastmod (one aggregate) and its size (COUNT) for the pages.
            ("/sitemap.xml", 2 * len(SECTIONS)),
            # A section page: COUNT for the paginator, then its items (stories with their region,
            # listings with their newest story's time).
            *[(section_url(section), 2) for section in SECTIONS],
        ],
    )
    def test_query_count_does_not_grow_with_stories(self, client, url, expected):
        region = RegionFactory()
        self.add_stories(region, 1)
        one = self.queries(client, url)
        self.add_stories(region, 12)
        many = self.queries(client, url)
        assert len(one) == len(many) == expected, "\n".join(many)


class TestRobots:
    def test_points_at_the_index_and_keeps_crawlers_out_of_private_paths(self, client):
        response = client.get("/robots.txt", HTTP_HOST="localhost")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        assert response.content.decode() == (
            "User-agent: *\n"
            "Disallow: /admin/\n"
            "Disallow: /preview/\n"
            "Disallow: /search/\n"
            "\n"
            f"Sitemap: {SITE_URL}/sitemap.xml\n"
        )
