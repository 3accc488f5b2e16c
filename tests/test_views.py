import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, ArticleAuthor, Tag
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

UTC = datetime.UTC


def html(response) -> str:
    return response.content.decode()


def json_ld(page: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def meta(page: str, attribute: str, name: str) -> list[str]:
    return re.findall(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', page)


def queries_of(client, url: str) -> int:
    client.get(url)  # warm the per-process caches (region navigation) as production would
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def cold_and_warm_queries_of(client, settings, url: str) -> tuple[int, int]:
    """Queries of a page rendered with no cached fragment, and with its fragments cached."""
    settings.FRAGMENT_CACHE_ENABLED = False
    cold = queries_of(client, url)
    settings.FRAGMENT_CACHE_ENABLED = True
    return cold, queries_of(client, url)


@pytest.fixture
def story():
    """A complete story in Kaliningrad: photo, two authors, tags, teasers."""
    region = RegionFactory(name="Калининград", slug="kaliningrad", time_zone="Europe/Kaliningrad")
    photo = PhotoFactory(caption="Пожарные у склада", credit="Иван Петров")
    build_renditions(photo)
    article = ArticleFactory(
        region=region,
        headline="Склад горел на Московском проспекте",
        lead="Пожар потушили за два часа.",
        body="<p>Первый абзац.</p><h2>Что известно</h2><p>Второй абзац.</p>",
        published_at=datetime.datetime(2019, 3, 27, 13, 15, tzinfo=UTC),
        main_photo=photo,
        authors=[AuthorFactory(name="Анна Соколова"), AuthorFactory(name="Олег Юдин")],
        tags=["пожары", "Московский проспект"],
    )
    return article


class TestStoryPage:
    def test_reader_sees_the_story_in_the_designed_order(self, client, story):
        page = html(client.get(story.get_absolute_url()))
        body = page[page.index("<main") :]
        order = [
            "Калининград</a>, <time",
            "27 мар 2019, 15:15",
            "<h1>Склад горел на Московском проспекте</h1>",
            '<p class="lead">Пожар потушили за два часа.</p>',
            "<figure",
            "Пожарные у склада",
            "Фото: Иван Петров",
            "<p>Первый абзац.</p><h2>Что известно</h2>",
            "Анна Соколова",
            "Олег Юдин",
            "Московский проспект",
        ]
        positions = [body.index(fragment) for fragment in order]
        assert positions == sorted(positions)
        assert page.count("<h1") == 1

    def test_dateline_is_on_the_region_clock(self, client):
        article = ArticleFactory(
            region=RegionFactory(name="Владивосток", time_zone="Asia/Vladivostok"),
            published_at=datetime.datetime(2020, 5, 5, 0, 3, tzinfo=UTC),
        )
        assert "Владивосток</a>, <time" in html(client.get(article.get_absolute_url()))
        assert "5 мая 2020, 10:03" in html(client.get(article.get_absolute_url()))

    def test_a_plain_resave_is_not_shown_as_an_update(self, client):
        article = ArticleFactory(published_at=timezone.now() - datetime.timedelta(hours=3))
        article.save()  # a typo fixed three hours later: not news to readers
        assert "обновлено" not in html(client.get(article.get_absolute_url()))

    def test_a_story_scheduled_ahead_is_not_modified_before_it_was_published(self, client):
        # Written and saved yesterday for this morning: the last save precedes the publication.
        due = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=2)
        article = ArticleFactory(published_at=due)
        Article.objects.filter(pk=article.pk).update(updated_at=due - datetime.timedelta(days=1))
        page = html(client.get(article.get_absolute_url()))
        [published] = meta(page, "property", "article:published_time")
        [modified] = meta(page, "property", "article:modified_time")
        assert datetime.datetime.fromisoformat(published) == due
        assert datetime.datetime.fromisoformat(modified) == due
        assert json_ld(page)["dateModified"] == modified
        assert "обновлено" not in page

    def test_a_correction_older_than_the_publication_does_not_date_the_story_back(self, client):
        due = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=2)
        article = ArticleFactory(published_at=due)
        Article.objects.filter(pk=article.pk).update(corrected_at=due - datetime.timedelta(days=3))
        page = html(client.get(article.get_absolute_url()))
        [modified] = meta(page, "property", "article:modified_time")
        assert datetime.datetime.fromisoformat(modified) == due

    def test_authors_and_tags_link_to_their_pages(self, client, story):
        page = html(client.get(story.get_absolute_url()))
        for author in story.authors.all():
            assert f'href="{author.get_absolute_url()}" rel="author"' in page
        for tag in story.tags.all():
            assert f'href="/tags/{tag.slug}/" rel="tag"' in page

    def test_inactive_author_is_named_without_a_link_and_without_a_url_in_json_ld(
        self, client, story
    ):
        retired = AuthorFactory(name="Пётр Ушедший", slug="ushedshiy", is_active=False)
        active = story.authors.get(name="Анна Соколова")
        ArticleAuthor.objects.create(article=story, author=retired, position=5)
        assert client.get(retired.get_absolute_url()).status_code == 404
        page = html(client.get(story.get_absolute_url()))
        byline = re.search(r'<p class="byline">(.*?)</p>', page).group(1)
        assert "Пётр Ушедший" in byline
        assert retired.get_absolute_url() not in page
        assert f'<a href="{active.get_absolute_url()}" rel="author">Анна Соколова</a>' in byline
        people = {person["name"]: person for person in json_ld(page)["author"]}
        assert "url" not in people["Пётр Ушедший"]
        assert people["Анна Соколова"]["url"].endswith(active.get_absolute_url())

    def test_teasers_in_editor_order_and_only_published_internal_targets(self, client, story):
        published_target = ArticleFactory(headline="Как тушат склады")
        draft_target = ArticleFactory(draft=True, headline="Черновик не для читателя")
        RelatedLinkFactory(article=story, position=2, kicker="", title="Карта пожаров")
        RelatedLinkFactory(
            article=story,
            position=1,
            kicker="Pro",
            title="Как тушат склады",
            target_article=published_target,
            external_url="",
        )
        RelatedLinkFactory(
            article=story, position=0, title="Скрытый", target_article=draft_target, external_url=""
        )
        page = html(client.get(story.get_absolute_url()))
        assert page.index("Как тушат склады") < page.index("Карта пожаров")
        assert published_target.get_absolute_url() in page
        assert "Скрытый" not in page and draft_target.get_absolute_url() not in page

    def test_read_also_fills_the_block_with_stories_sharing_a_tag_in_the_region(
        self, client, story
    ):
        sibling = ArticleFactory(region=story.region, tags=["пожары"], headline="Ещё один пожар")
        ArticleFactory(region=story.region, tags=["футбол"], headline="Матч без пожара")
        ArticleFactory(tags=["пожары"], headline="Пожар в другом регионе")
        ArticleFactory(
            region=story.region, tags=["пожары"], draft=True, headline="Черновик о пожаре"
        )
        page = html(client.get(story.get_absolute_url()))
        assert "Читайте также" in page and sibling.get_absolute_url() in page
        for absent in ("Матч без пожара", "Пожар в другом регионе", "Черновик о пожаре"):
            assert absent not in page

    def test_read_also_does_not_repeat_a_story_the_teasers_link_to(self, client, story):
        teased = ArticleFactory(region=story.region, tags=["пожары"], headline="Хроника пожара")
        other = ArticleFactory(region=story.region, tags=["пожары"], headline="Пожар в порту")
        RelatedLinkFactory(
            article=story, title="Как это было", target_article=teased, external_url=""
        )
        page = html(client.get(story.get_absolute_url()))
        read_also = page.split('<ul class="read-also">')[1].split("</ul>")[0]
        assert other.get_absolute_url() in read_also and "Пожар в порту" in read_also
        assert teased.get_absolute_url() not in read_also
        assert page.count(f'href="{teased.get_absolute_url()}"') == 1
        assert "Хроника пожара" not in page and "Как это было" in page
        assert page.count("Читайте также") == 1

    def test_read_also_gives_way_to_a_full_teaser_block(self, client, story):
        ArticleFactory(region=story.region, tags=["пожары"], headline="Ещё один пожар")
        for position in range(6):
            RelatedLinkFactory(article=story, position=position)
        assert "Ещё один пожар" not in html(client.get(story.get_absolute_url()))

    def test_head_carries_canonical_open_graph_and_twitter_tags(self, client, story, settings):
        settings.SITE_URL = "https://news.example.ru"
        page = html(client.get(story.get_absolute_url(), HTTP_HOST="localhost"))
        canonical = "https://news.example.ru" + story.get_absolute_url()
        assert f'<link rel="canonical" href="{canonical}">' in page
        assert meta(page, "property", "og:url") == [canonical]
        assert meta(page, "property", "og:title") == ["Склад горел на Московском проспекте"]
        (image,) = meta(page, "property", "og:image")
        assert image.startswith("https://news.example.ru/") and image.endswith(".jpg")
        assert meta(page, "name", "twitter:card") == ["summary_large_image"]
        assert meta(page, "name", "description") == ["Пожар потушили за два часа."]
        assert "localhost" not in page

    def test_json_ld_is_a_complete_news_article(self, client, story, settings):
        settings.SITE_URL = "https://news.example.ru"
        data = json_ld(html(client.get(story.get_absolute_url())))
        assert data["@type"] == "NewsArticle"
        assert data["headline"] == "Склад горел на Московском проспекте"
        assert data["datePublished"] == "2019-03-27T15:15:00+02:00"
        assert datetime.datetime.fromisoformat(data["dateModified"]).tzinfo is not None
        assert [a["name"] for a in data["author"]] == ["Анна Соколова", "Олег Юдин"]
        assert data["image"][0]["url"].startswith("https://news.example.ru/")
        assert data["publisher"]["name"] and data["publisher"]["logo"]["url"].startswith("https")

    def test_story_without_photo_or_teasers_still_reads_well(self, client):
        article = ArticleFactory()
        page = html(client.get(article.get_absolute_url()))
        assert "<figure" not in page and "По теме" not in page
        assert meta(page, "name", "twitter:card") == ["summary"]
        assert "image" not in json_ld(page)

    def test_photo_with_a_broken_file_shows_a_placeholder_and_the_story_renders(
        self, client, caplog
    ):
        photo = PhotoFactory()
        with open(photo.image.path, "wb") as broken:
            broken.write(b"not an image at all")
        article = ArticleFactory(main_photo=photo)
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert "photo-placeholder.svg" in html(response)
        assert "placeholder" in caplog.text

    def test_stale_slug_or_region_answers_301_to_the_canonical_url(self, client, story):
        other = RegionFactory(slug="moskva")
        for stale in (
            f"/kaliningrad/{story.pk}-staryy-zagolovok/",
            f"/moskva/{story.pk}-{story.slug}/",
            f"/{other.slug}/{story.pk}-x/",
        ):
            response = client.get(stale)
            assert response.status_code == 301
            assert response["Location"] == story.get_absolute_url()

    @pytest.mark.parametrize("state", ["draft", "in_review", "scheduled", "unpublished"])
    def test_unpublished_story_is_a_404_not_a_403(self, client, state):
        article = ArticleFactory(**{state: True})
        url = f"/{article.region.slug}/{article.pk}-{article.slug}/"
        assert client.get(url).status_code == 404

    def test_story_of_an_inactive_region_is_a_404(self, client):
        article = ArticleFactory(region=RegionFactory(is_active=False))
        assert client.get(article.get_absolute_url()).status_code == 404

    @pytest.mark.parametrize(
        "url",
        ["/kaliningrad/999999-net/", "/kaliningrad/99999999999999999999999999-x/", "/x/0-x/"],
    )
    def test_unknown_story_ids_are_404s(self, client, url):
        assert client.get(url).status_code == 404


def correct_twice(story) -> None:
    """Two corrections, the later one written first: the page must order them by date, not id."""
    CorrectionFactory(
        article=story,
        text="Склад принадлежит не городу, а частной компании.",
        created_at=datetime.datetime(2019, 4, 2, 6, 5, tzinfo=UTC),
    )
    CorrectionFactory(
        article=story,
        text="Пожар потушили за два часа, а не за три.",
        created_at=datetime.datetime(2019, 3, 28, 9, 40, tzinfo=UTC),
    )


class TestCorrections:
    def test_corrections_are_listed_under_the_story_newest_first_on_the_region_clock(
        self, client, story
    ):
        correct_twice(story)
        page = html(client.get(story.get_absolute_url()))
        section = page[page.index('<section class="corrections"') :]
        section = section[: section.index("</section>")]
        assert '<h2 id="corrections-title">Исправления</h2>' in section
        entries = re.findall(
            r'<li><time class="correction-time" datetime="([^"]+)">([^<]+)</time> ([^<]+)</li>',
            section,
        )
        assert entries == [
            (
                "2019-04-02T08:05:00+02:00",
                "2 апр 2019, 08:05",
                "Склад принадлежит не городу, а частной компании.",
            ),
            (
                "2019-03-28T11:40:00+02:00",
                "28 мар 2019, 11:40",
                "Пожар потушили за два часа, а не за три.",
            ),
        ]
        # Under the story's text, above its byline.
        assert page.index('<div class="story-body">') < page.index(section) < page.index("byline")

    def test_dateline_says_updated_at_the_newest_correction(self, client, story):
        correct_twice(story)
        dateline = re.search(
            r'<p class="dateline">(.*?)</p>', html(client.get(story.get_absolute_url())), re.S
        ).group(1)
        assert (
            'обновлено <time datetime="2019-04-02T08:05:00+02:00">2 апр 2019, 08:05</time>'
            in dateline
        )

    def test_story_without_corrections_has_no_corrections_section(self, client, story):
        page = html(client.get(story.get_absolute_url()))
        assert "Исправления" not in page and "corrections" not in page
        assert "correction" not in json_ld(page)

    def test_json_ld_lists_the_corrections_and_is_modified_at_the_latest(self, client, story):
        correct_twice(story)
        page = html(client.get(story.get_absolute_url()))
        data = json_ld(page)
        assert data["correction"] == [
            {
                "@type": "CorrectionComment",
                "text": "Склад принадлежит не городу, а частной компании.",
                "datePublished": "2019-04-02T08:05:00+02:00",
            },
            {
                "@type": "CorrectionComment",
                "text": "Пожар потушили за два часа, а не за три.",
                "datePublished": "2019-03-28T11:40:00+02:00",
            },
        ]
        assert data["datePublished"] == "2019-03-27T15:15:00+02:00"
        assert data["dateModified"] == "2019-04-02T08:05:00+02:00"
        assert meta(page, "property", "article:modified_time") == ["2019-04-02T08:05:00+02:00"]

    def test_correction_text_keeps_its_line_breaks_and_nothing_else(self, client, story):
        CorrectionFactory(article=story, text="Первая строка.\nВторая <b>строка</b>.")
        page = html(client.get(story.get_absolute_url()))
        assert "Первая строка.<br>Вторая &lt;b&gt;строка&lt;/b&gt;." in page
        assert json_ld(page)["correction"][0]["text"] == "Первая строка.\nВторая <b>строка</b>."


HOSTILE = "\"'><script>alert(1)</script><img src=x onerror=alert(2)></script>"


def test_hostile_text_is_escaped_in_page_title_meta_and_json_ld(client):
    photo = PhotoFactory(alt_text=HOSTILE, caption=HOSTILE, credit=HOSTILE)
    build_renditions(photo)
    article = ArticleFactory(
        headline=HOSTILE,
        lead=HOSTILE,
        slug="x",
        main_photo=photo,
        authors=[AuthorFactory(name=HOSTILE)],
        tags=[HOSTILE],
    )
    RelatedLinkFactory(article=article, title=HOSTILE, kicker=HOSTILE[:40])
    CorrectionFactory(article=article, text=HOSTILE)
    page = html(client.get(article.get_absolute_url()))
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "onerror=alert(2)>" not in page.replace("&gt;", "")  # never as live markup
    # Two script elements: the JSON-LD, closing where it should, and the share row's own file.
    assert page.count("<script") == 2 and page.count("</script>") == 2
    assert page.count('<script type="application/ld+json">') == 1
    assert page.count('<script src="/static/js/share.js" defer></script>') == 1
    data = json_ld(page)
    assert data["headline"] == HOSTILE[:110]
    assert data["author"][0]["name"] == HOSTILE
    assert data["correction"][0]["text"] == HOSTILE
    assert f"<title>{HOSTILE}" not in page


class TestListings:
    def test_home_puts_fresh_breaking_news_first_then_the_latest(self, client):
        old_breaking = ArticleFactory(
            is_breaking=True,
            headline="Старая срочная",
            published_at=timezone.now() - datetime.timedelta(days=3),
        )
        latest = ArticleFactory(headline="Свежая обычная")
        breaking = ArticleFactory(
            is_breaking=True,
            headline="Срочная сейчас",
            published_at=timezone.now() - datetime.timedelta(hours=2),
        )
        page = html(client.get("/"))
        assert page.index(breaking.headline) < page.index("Последние новости")
        assert page.index("Последние новости") < page.index(latest.headline)
        assert page.index(latest.headline) < page.index(old_breaking.headline)
        assert page.count(breaking.headline) == 1

    def test_region_page_lists_its_stories_newest_first_twenty_a_page(self, client):
        region = RegionFactory(slug="samara", name="Самара")
        now = timezone.now()
        for minutes in range(25):
            ArticleFactory(
                region=region,
                headline=f"Самарская новость {minutes:02d}",
                published_at=now - datetime.timedelta(minutes=minutes + 1),
            )
        ArticleFactory(headline="Чужая новость")
        first = html(client.get("/samara/"))
        second = html(client.get("/samara/?page=2"))
        assert first.count('class="card"') == 20 and second.count('class="card"') == 5
        assert first.index("новость 00") < first.index("новость 19")
        assert "новость 20" in second and "Чужая новость" not in first + second
        assert 'rel="next" href="?page=2"' in first and 'rel="prev" href="?page=1"' in second
        assert 'rel="next"' not in second

    @pytest.mark.parametrize(
        "page",
        ["abc", "-1", "0", "1.5", "999999", "1" * 30, "", " 1", "1e3", "٣", "²", "01"],
    )
    def test_invalid_page_numbers_are_404s(self, client, page):
        ArticleFactory(region=RegionFactory(slug="samara"))
        for url in ("/", "/samara/"):
            assert client.get(url, {"page": page}).status_code == 404

    def test_page_past_the_end_is_a_404(self, client):
        ArticleFactory(region=RegionFactory(slug="samara"))
        assert client.get("/samara/?page=2").status_code == 404

    def test_unknown_or_inactive_region_is_a_404(self, client):
        RegionFactory(slug="zakryt", is_active=False)
        assert client.get("/zakryt/").status_code == 404
        assert client.get("/nigde/").status_code == 404

    def test_day_archive_follows_the_region_calendar(self, client):
        region = RegionFactory(slug="vladivostok", time_zone="Asia/Vladivostok")
        # 23:30 UTC on 1 March is 09:30 on 2 March in Vladivostok.
        ArticleFactory(
            region=region,
            headline="Утро второго марта",
            published_at=datetime.datetime(2024, 3, 1, 23, 30, tzinfo=UTC),
        )
        assert "Утро второго марта" in html(client.get("/vladivostok/2024/03/02/"))
        assert "Утро второго марта" not in html(client.get("/vladivostok/2024/03/01/"))

    @pytest.mark.parametrize(
        "path",
        [
            "2024/13/01",
            "2023/02/29",
            "9999/12/31",
            "0001/01/01",
            "2024/00/10",
            "2024/01/32",
            "99999999999999999999999999999/1/1",
        ],
    )
    def test_impossible_or_future_dates_are_404s(self, client, path):
        RegionFactory(slug="samara")
        assert client.get(f"/samara/{path}/").status_code == 404

    def test_tag_page_lists_only_published_stories_with_the_tag(self, client):
        ArticleFactory(tags=["выборы"], headline="Выборы в думу")
        ArticleFactory(tags=["выборы"], draft=True, headline="Черновик про выборы")
        ArticleFactory(tags=["спорт"], headline="Спортивная новость")
        page = html(client.get(Tag.objects.get(name="выборы").get_absolute_url()))
        assert "Выборы в думу" in page
        assert "Черновик про выборы" not in page and "Спортивная новость" not in page
        assert client.get("/tags/net-takogo/").status_code == 404

    def test_author_page_shows_bio_photo_and_their_published_stories(self, client):
        photo = PhotoFactory(alt_text="Портрет автора")
        build_renditions(photo)
        author = AuthorFactory(
            name="Мария Белова", job_title="обозреватель", bio="Пишет о городе.", photo=photo
        )
        ArticleFactory(authors=[author], headline="Колонка Беловой")
        ArticleFactory(authors=[author], scheduled=True, headline="Завтрашняя колонка")
        page = html(client.get(author.get_absolute_url()))
        assert "Мария Белова" in page and "обозреватель" in page and "Пишет о городе." in page
        assert 'alt="Портрет автора"' in page
        assert "Колонка Беловой" in page and "Завтрашняя колонка" not in page

    def test_header_navigation_lists_active_regions(self, client):
        RegionFactory(name="Новосибирск", slug="novosibirsk")
        RegionFactory(name="Закрытый", slug="zakryt", is_active=False)
        page = html(client.get("/"))
        assert 'href="/novosibirsk/"' in page and "Закрытый" not in page

    def test_friendly_404_in_the_site_design(self, client):
        response = client.get("/nigde/takogo/net/")
        assert response.status_code == 404
        assert "Страница не найдена" in html(response) and "skip-link" in html(response)


class TestQueryCounts:
    """Public pages make the same number of queries whatever the size of their content."""

    def test_story_page_with_one_or_twenty_of_everything(self, client, settings):
        def make(n):
            photo = PhotoFactory()
            build_renditions(photo)
            article = ArticleFactory(
                main_photo=photo,
                authors=[AuthorFactory() for _ in range(n)],
                tags=[f"тег-{n}-{i}" for i in range(n)],
            )
            for i in range(n):
                RelatedLinkFactory(
                    article=article,
                    position=i,
                    target_article=ArticleFactory(),
                    external_url="",
                )
                CorrectionFactory(
                    article=article, created_at=timezone.now() - datetime.timedelta(minutes=i)
                )
            return article

        one, twenty = make(1), make(20)
        # 1. the story with its region and main photo; and, unless in the fragment cache:
        # 2. bylines with their authors;
        # 3. tags;
        # 4. corrections, newest first;
        # 5. the photo's renditions;
        # 6. teasers with their target stories and those stories' regions;
        # 7. "read also".
        assert cold_and_warm_queries_of(client, settings, one.get_absolute_url()) == (7, 1)
        assert cold_and_warm_queries_of(client, settings, twenty.get_absolute_url()) == (7, 1)

    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            # Pages are read as card rows (values), kept as a fragment of their own, and their
            # lists of cards as fragments with the cards in place; a card not cached is made
            # from its story, fetched by id with its region and photo, and the photo's
            # renditions: two queries for all the cards of a page not cached, none once they are.
            # Breaking stories; the page of latest; the regional blocks.
            ("/", (5, 0)),
            # The region; the page of stories.
            ("/region-q/", (4, 1)),
            ("/region-q/{today}/", (4, 1)),
            # The tag; the page of stories.
            ("/tags/obshchy/", (4, 1)),
            # The author with photo; the photo's renditions (unless the page's photo is
            # cached); the page.
            ("/authors/avtor-q/", (5, 1)),
        ],
    )
    def test_listings_with_one_or_twenty_stories(self, client, settings, url, expected):
        region = RegionFactory(slug="region-q", time_zone="UTC")
        url = url.format(today=timezone.now().astimezone(datetime.UTC).strftime("%Y/%m/%d"))
        author = AuthorFactory(slug="avtor-q", photo=PhotoFactory())

        def add_story(is_breaking=False):
            photo = PhotoFactory()
            build_renditions(photo)
            ArticleFactory(
                region=region,
                main_photo=photo,
                authors=[author],
                tags=["общий"],
                is_breaking=is_breaking,
                # Today on the region's (UTC) calendar, within the breaking window, in the past.
                published_at=published_at,
            )

        published_at = timezone.now().astimezone(datetime.UTC).replace(hour=0, minute=0, second=1)
        add_story(is_breaking=True)  # the home page's breaking block is never empty here
        add_story()
        one = cold_and_warm_queries_of(client, settings, url)
        for _ in range(19):
            add_story()
        twenty = cold_and_warm_queries_of(client, settings, url)
        assert one == twenty == expected

    def test_a_deep_page_costs_no_more_queries_than_the_first(self, client):
        bulk_published_stories(RegionFactory(slug="deep"), 210)
        assert queries_of(client, "/deep/") == queries_of(client, "/deep/?page=10")


@pytest.mark.parametrize("state", ["draft", "in_review", "scheduled", "unpublished", "inactive"])
def test_invisible_story_is_absent_from_every_page_and_listing(client, state):
    region = RegionFactory(slug="samara", is_active=state != "inactive")
    visible_region = RegionFactory(slug="perm")
    author = AuthorFactory(slug="avtor")
    traits = {} if state == "inactive" else {state: True}
    hidden = ArticleFactory(
        region=region,
        headline="Невидимка",
        authors=[author],
        tags=["общий"],
        is_breaking=True,
        **traits,
    )
    ArticleFactory(region=visible_region, headline="Видимая", authors=[author], tags=["общий"])
    day = timezone.localdate(timezone=region.zone).strftime("%Y/%m/%d")
    for url in ("/", "/samara/", "/perm/", f"/samara/{day}/", "/tags/obshchy/", "/authors/avtor/"):
        response = client.get(url)
        assert "Невидимка" not in html(response), url
    assert client.get(f"/samara/{hidden.pk}-{hidden.slug}/").status_code == 404


def test_pages_point_feed_readers_at_their_feeds(client):
    article = ArticleFactory(region=RegionFactory(slug="samara"), tags=["выборы"])
    author = AuthorFactory(slug="avtor")
    ArticleFactory(authors=[author])
    feeds = {
        "/": ["/feeds/rss/"],
        "/samara/": ["/feeds/rss/", "/samara/feed/"],
        article.tags.get().get_absolute_url(): ["/feeds/rss/", "/tags/vybory/feed/"],
        "/authors/avtor/": ["/feeds/rss/", "/authors/avtor/feed/"],
    }
    for url, expected in feeds.items():
        page = html(client.get(url))
        found = re.findall(
            r'<link rel="alternate" type="application/rss\+xml"[^>]*href="([^"]+)"', page
        )
        assert found == expected, url


def test_favicon_requests_find_the_site_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")


def test_addresses_formatted_without_reverse_are_the_urlconfs():
    from django.urls import reverse

    from articles.paths import author_path, region_path, site_paths, story_path, tag_path

    assert story_path("kaliningrad", 12, "pozhar-na-sklade") == reverse(
        "articles:article_detail",
        kwargs={"region": "kaliningrad", "pk": 12, "slug": "pozhar-na-sklade"},
    )
    assert region_path("omsk") == reverse("articles:region_detail", kwargs={"region": "omsk"})
    assert tag_path("vybory") == reverse("articles:tag_detail", kwargs={"tag": "vybory"})
    assert author_path("sokolova") == reverse(
        "articles:author_detail", kwargs={"author": "sokolova"}
    )
    assert site_paths()["search"] == reverse("articles:search")
