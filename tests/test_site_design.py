"""The reader's site as designed: its budgets (CSS size, no script needed, nothing fetched from
elsewhere, no layout shift), the masthead's editions, front pages with hierarchy, the regional
blocks of the network home, and the story page's share row."""

import datetime
import gzip
import re
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Tag
from articles.publishing.previews import preview_path
from articles.renditions import build_renditions
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    PhotoFactory,
    RegionFactory,
    RelatedLinkFactory,
)

pytestmark = pytest.mark.django_db

CSS_BUDGET_BYTES = 30 * 1024
# The <style> in the head carries the installation's accent and nothing else.
INLINE_STYLE_BUDGET_BYTES = 120


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def site():
    """Every public page type, each with what it can show: photos, teasers, corrections."""
    region = RegionFactory(name="Калининград", slug="kaliningrad", time_zone="Europe/Kaliningrad")
    RegionFactory(name="Самара", slug="samara", time_zone="Europe/Samara")
    photo = PhotoFactory(caption="Набережная утром", credit="Анна Смирнова")
    build_renditions(photo)
    author = AuthorFactory(name="Ирина Волкова", slug="volkova", photo=photo)
    earlier = ArticleFactory(region=region, tags=["город"], main_photo=photo, authors=[author])
    story = ArticleFactory(
        region=region,
        headline="Мост закроют на ремонт",
        main_photo=photo,
        authors=[author],
        tags=["город"],
        is_breaking=True,
    )
    RelatedLinkFactory(article=story, kicker="Pro", target_article=earlier, external_url="")
    CorrectionFactory(article=story, text="Уточнена дата.")
    draft = ArticleFactory(region=region, draft=True, main_photo=photo)
    day = timezone.localdate(story.published_at, region.zone)
    return {
        "home": "/",
        "region": "/kaliningrad/",
        "day": f"/kaliningrad/{day:%Y/%m/%d}/",
        "tag": Tag.objects.get(name="город").get_absolute_url(),
        "author": author.get_absolute_url(),
        "story": story.get_absolute_url(),
        "search": "/search/?q=мост",
        "404": "/kaliningrad/999999-net/",
        "preview": preview_path(draft),
    }


def tree(response):
    return lxml.html.fromstring(response.content)


def stylesheets(client) -> list[str]:
    page = tree(client.get("/"))
    return page.xpath("//link[@rel='stylesheet']/@href")


class TestBudgets:
    def test_the_css_we_send_stays_under_30_kb_gzipped(self, client, settings):
        hrefs = stylesheets(client)
        assert hrefs, "the site links its stylesheet"
        total = 0
        for href in hrefs:
            path = finders.find(href.removeprefix(settings.STATIC_URL))
            assert path, href
            with open(path, "rb") as css:
                # As WhiteNoise compresses it for sending (gzip, level 9).
                total += len(gzip.compress(css.read(), compresslevel=9))
        assert total < CSS_BUDGET_BYTES, f"{total} bytes of gzipped CSS"

    def test_the_inline_style_carries_the_accent_only(self, client):
        for style in tree(client.get("/")).xpath("//style/text()"):
            assert len(style.encode()) < INLINE_STYLE_BUDGET_BYTES
            assert re.fullmatch(
                r":root\{--brand:#[0-9a-f]{6};--brand-on-dark:#[0-9a-f]{6}\}", style
            )

    def test_public_pages_need_no_script_to_read(self, client, site):
        for name, url in site.items():
            response = client.get(url)
            page = tree(response)
            assert page.xpath("//main//h1"), name
            for script in page.xpath("//script"):
                if script.get("type") == "application/ld+json":
                    continue
                # Anything else is our own file, loaded after the page is read (never blocking).
                assert script.get("src", "").startswith("/static/js/"), (name, script.attrib)
                assert script.get("defer") is not None, (name, script.attrib)
                assert not (script.text or "").strip(), name
            handlers = [
                attribute
                for element in page.iter()
                if isinstance(element.tag, str)
                for attribute in element.attrib
                if attribute.startswith("on")
            ]
            assert handlers == [], name
            assert not page.xpath("//noscript"), name

    def test_the_story_reads_in_full_without_its_script(self, client, site):
        page = tree(client.get(site["story"]))
        assert page.xpath("//script[@src]/@src") == ["/static/js/share.js"]
        # Every share link works as a plain link; "copy" is the address itself.
        share = page.xpath("//div[@class='share']//a/@href")
        assert len(share) == 4 and all(href.startswith("http") for href in share)

    def test_nothing_is_fetched_from_another_host(self, client, site):
        for name, url in site.items():
            page = tree(client.get(url))
            fetched = [
                *page.xpath("//link[not(@rel='canonical') and not(@rel='alternate')]/@href"),
                *page.xpath("//script/@src"),
                *page.xpath("//img/@src"),
                *page.xpath("//iframe/@src"),
            ]
            for srcset in page.xpath("//img/@srcset | //source/@srcset"):
                fetched += [part.split()[0] for part in srcset.split(",")]
            for address in fetched:
                assert address.startswith("/") and not address.startswith("//"), (name, address)

    def test_the_stylesheet_fetches_no_font_and_nothing_else(self):
        with open(finders.find("css/site.css"), encoding="utf-8") as css:
            text = css.read()
        assert "@font-face" not in text and "@import" not in text
        assert "url(" not in text

    def test_images_reserve_their_space(self, client, site):
        for name, url in site.items():
            for image in tree(client.get(url)).xpath("//img"):
                assert int(image.get("width")) > 0 and int(image.get("height")) > 0, (name, image)
        with open(finders.find("css/site.css"), encoding="utf-8") as css:
            text = css.read()
        # Photos are cropped to their box by CSS too, so a rendition of another shape never
        # moves the text around it.
        assert ".card-photo img { width: 100%; aspect-ratio: 3 / 2;" in text
        assert ".lead-photo img { width: 100%; aspect-ratio: 3 / 2;" in text

    def test_pages_follow_the_reader_dark_scheme_and_print(self, client):
        page = client.get("/").content.decode()
        assert '<meta name="color-scheme" content="light dark">' in page
        with open(finders.find("css/site.css"), encoding="utf-8") as css:
            text = css.read()
        assert "@media (prefers-color-scheme: dark)" in text and "@media print" in text

    def test_russian_text_is_hyphenated_and_marked_as_russian(self, client, site):
        page = tree(client.get(site["story"]))
        assert page.get("lang") == "ru"
        with open(finders.find("css/site.css"), encoding="utf-8") as css:
            text = css.read()
        assert re.search(r"\.story-body \{[^}]*hyphens: auto", text)


class TestMasthead:
    def test_the_edition_of_a_region_is_shown_and_marked_current(self, client, site):
        for name in ("region", "day", "story"):
            page = tree(client.get(site[name]))
            assert page.xpath("string(//details[@class='editions']/summary)") == (
                "Регион: Калининград"
            ), name
            current = page.xpath("//nav[@class='regions']//a[@aria-current]")
            assert [a.get("href") for a in current] == ["/kaliningrad/"], name

    def test_network_pages_show_all_regions_as_their_edition(self, client, site):
        for name in ("home", "tag", "author", "search"):
            page = tree(client.get(site[name]))
            assert page.xpath("string(//details/summary)") == "Регион: Все регионы", name
            current = page.xpath("//nav[@class='regions']//a[@aria-current]/@href")
            assert current == ["/"], name

    def test_the_edition_chooser_lists_every_active_region_in_one_step(self, client, site):
        RegionFactory(name="Закрытый", slug="zakryt", is_active=False)
        menu = tree(client.get(site["story"])).xpath("//details//a/@href")
        assert menu == ["/", "/kaliningrad/", "/samara/"]

    def test_the_footer_carries_the_edition_links_and_feeds(self, client, site):
        footer = tree(client.get(site["region"])).xpath("//footer[@class='site-footer']")[0]
        links = footer.xpath(".//a/@href")
        for expected in (
            "/kaliningrad/",
            "/search/?region=kaliningrad",
            "/kaliningrad/feed/",
            "/kaliningrad/feed/yandex/",
            "/feeds/rss/",
            "/feeds/yandex/",
            "/samara/",
        ):
            assert expected in links
        home_footer = tree(client.get("/")).xpath("//footer//a/@href")
        assert "/kaliningrad/feed/" not in home_footer and "/feeds/rss/" in home_footer


def card_titles(page, container: str) -> list[str]:
    return [
        title.text_content().strip()
        for title in page.xpath(f"{container}//*[contains(@class, 'card-title')]")
    ]


class TestFrontPages:
    def test_home_leads_with_breaking_news_then_a_grid_then_a_list(self, client):
        region = RegionFactory(slug="samara")
        now = timezone.now()
        for minutes in range(12):
            ArticleFactory(
                region=region,
                headline=f"Новость {minutes:02d}",
                published_at=now - datetime.timedelta(minutes=minutes + 10),
            )
        ArticleFactory(
            region=region,
            headline="Срочная",
            is_breaking=True,
            published_at=now - datetime.timedelta(hours=2),
        )
        page = tree(client.get("/"))
        assert card_titles(page, "//div[@class='front-lead']") == ["Срочная"]
        assert page.xpath("string(//div[@class='front-lead']//p[@class='card-kicker'])") == (
            "Срочно"
        )
        assert card_titles(page, "//ol[@class='tiles']") == [f"Новость {i:02d}" for i in range(4)]
        assert card_titles(page, "//ol[@class='compact-list']") == [
            f"Новость {i:02d}" for i in range(4, 12)
        ]

    def test_without_breaking_news_the_newest_story_leads_unmarked(self, client):
        region = RegionFactory(slug="samara")
        newest = ArticleFactory(region=region, headline="Самая свежая")
        ArticleFactory(
            region=region,
            headline="Вчерашняя",
            published_at=newest.published_at - datetime.timedelta(days=1),
        )
        page = tree(client.get("/"))
        assert card_titles(page, "//div[@class='front-lead']") == ["Самая свежая"]
        assert not page.xpath("//p[@class='card-kicker']")

    def test_a_region_front_page_leads_with_its_fresh_breaking_story(self, client):
        region = RegionFactory(slug="samara")
        now = timezone.now()
        ArticleFactory(region=region, headline="Обычная свежая", published_at=now)
        ArticleFactory(
            region=region,
            headline="Срочная утренняя",
            is_breaking=True,
            published_at=now - datetime.timedelta(hours=5),
        )
        ArticleFactory(
            region=region,
            headline="Срочная позавчерашняя",
            is_breaking=True,
            published_at=now - datetime.timedelta(days=2),
        )
        page = tree(client.get("/samara/"))
        assert card_titles(page, "//div[@class='front-lead']") == ["Срочная утренняя"]
        assert card_titles(page, "//ol[@class='tiles']") == [
            "Обычная свежая",
            "Срочная позавчерашняя",
        ]

    def test_later_pages_are_a_plain_stream(self, client):
        region = RegionFactory(slug="samara")
        for minutes in range(25):
            ArticleFactory(
                region=region, published_at=timezone.now() - datetime.timedelta(minutes=minutes)
            )
        page = tree(client.get("/samara/?page=2"))
        assert not page.xpath("//div[@class='front']")
        assert len(page.xpath("//ol[@class='story-list']/li")) == 5

    def test_network_lists_name_each_story_region_and_its_age(self, client):
        region = RegionFactory(name="Омск", slug="omsk", time_zone="Asia/Omsk")
        ArticleFactory(
            region=region,
            tags=["город"],
            published_at=timezone.now() - datetime.timedelta(minutes=15, seconds=5),
        )
        for url in ("/", "/tags/gorod/"):
            dateline = tree(client.get(url)).xpath("//article[@class='card']//p[@class='dateline']")
            assert dateline[0].text_content() == "Омск, 15 минут назад", url
        region_dateline = tree(client.get("/omsk/")).xpath("//p[@class='dateline']")[0]
        assert region_dateline.text_content() == "15 минут назад"

    def test_ages_give_way_to_clock_times_when_pages_are_cached_long(self, client, settings):
        settings.PUBLIC_CACHE_SECONDS = 3600
        region = RegionFactory(name="Омск", slug="omsk", time_zone="Asia/Omsk")
        published = timezone.now() - datetime.timedelta(minutes=15)
        ArticleFactory(region=region, published_at=published)
        time_element = tree(client.get("/")).xpath("//article[@class='card']//time")[0]
        local = timezone.localtime(published, region.zone)
        assert time_element.text.endswith(f"{local:%H:%M}")
        assert "назад" not in time_element.text
        # The machine-readable time is always there, and the region's clock in full on hover.
        assert datetime.datetime.fromisoformat(time_element.get("datetime")) == published.replace(
            microsecond=0
        )
        assert time_element.get("title").startswith("Омск, ")


class TestRegionalBlocks:
    def test_each_region_shows_its_newest_stories_not_already_on_the_page(self, client):
        now = timezone.now()
        kaliningrad = RegionFactory(name="Калининград", slug="kaliningrad", position=1)
        samara = RegionFactory(name="Самара", slug="samara", position=2)
        for i in range(20):  # the whole first page
            ArticleFactory(region=kaliningrad, published_at=now - datetime.timedelta(minutes=i))
        older = [
            ArticleFactory(
                region=kaliningrad,
                headline=f"Калининград раньше {i}",
                published_at=now - datetime.timedelta(days=1, minutes=i),
            )
            for i in range(4)
        ]
        yesterday = ArticleFactory(
            region=samara, headline="Самара вчера", published_at=now - datetime.timedelta(days=2)
        )
        page = tree(client.get("/"))
        blocks = page.xpath("//section[@class='region-block']")
        assert [block.xpath("string(h3)") for block in blocks] == ["Калининград", "Самара"]
        assert card_titles(blocks[0], ".") == [story.headline for story in older[:3]]
        assert card_titles(blocks[1], ".") == ["Самара вчера"]
        # Once Samara's one story is among the page's newest, its block would only repeat it.
        yesterday.published_at = now
        yesterday.save()
        cache.clear()
        page = tree(client.get("/"))
        assert page.xpath("//section[@class='region-block']/h3/a/text()") == ["Калининград"]
        assert card_titles(page, "//main").count("Самара вчера") == 1

    def test_a_region_with_nothing_new_and_inactive_regions_have_no_block(self, client):
        RegionFactory(name="Тихий", slug="tikhiy")
        hidden = RegionFactory(name="Скрытый", slug="skrytyy", is_active=False)
        ArticleFactory(region=hidden)
        ArticleFactory(region=RegionFactory(name="Пермь", slug="perm"))
        page = tree(client.get("/"))
        assert page.xpath("//section[@class='region-block']/h3/a/text()") == []

    def test_blocks_are_absent_from_later_pages(self, client):
        region = RegionFactory(slug="samara")
        for i in range(45):
            ArticleFactory(
                region=region, published_at=timezone.now() - datetime.timedelta(minutes=i)
            )
        assert tree(client.get("/")).xpath("//section[@class='regional']")
        assert not tree(client.get("/?page=2")).xpath("//section[@class='regional']")

    def test_the_home_page_costs_the_same_queries_for_one_region_or_many(self, client, settings):
        # With no card cached, so the renditions of them all are fetched (in one query).
        settings.FRAGMENT_CACHE_ENABLED = False

        def queries() -> int:
            client.get("/")
            cache.clear()
            client.get("/")  # warm the navigation cache, as production would
            with CaptureQueriesContext(connection) as captured:
                assert client.get("/").status_code == 200
            return len(captured)

        def add_region(n: int) -> None:
            region = RegionFactory(slug=f"region-{n}")
            for i in range(25):
                photo = PhotoFactory()
                build_renditions(photo)
                ArticleFactory(region=region, main_photo=photo, is_breaking=i == 0)

        add_region(0)
        one = queries()
        for n in range(1, 6):
            add_region(n)
        many = queries()
        # Breaking stories; the page of latest (card rows); the regional blocks; the stories of
        # the page's cards; renditions of them all.
        assert one == many == 5


class TestSharing:
    def test_share_links_carry_the_canonical_address_and_headline(self, client, site, settings):
        settings.SITE_URL = "https://news.example.ru"
        page = tree(client.get(site["story"]))
        canonical = "https://news.example.ru" + site["story"]
        links = {a.text: a.get("href") for a in page.xpath("//div[@class='share']//a")}
        telegram = parse_qs(urlsplit(links["Telegram"]).query)
        assert urlsplit(links["Telegram"]).netloc == "t.me"
        assert telegram == {"url": [canonical], "text": ["Мост закроют на ремонт"]}
        vk = parse_qs(urlsplit(links["ВКонтакте"]).query)
        assert vk == {"url": [canonical], "title": ["Мост закроют на ремонт"]}
        assert parse_qs(urlsplit(links["WhatsApp"]).query) == {
            "text": [f"Мост закроют на ремонт {canonical}"]
        }
        assert links["Скопировать ссылку"] == canonical

    def test_a_hostile_headline_stays_inside_its_share_link(self, client, site):
        hostile = 'Мост" onclick="alert(1)&amp;<script>'
        story = ArticleFactory(headline=hostile)
        page = tree(client.get(story.get_absolute_url()))
        telegram = page.xpath("//a[@class='share-telegram']")[0]
        assert list(telegram.attrib) == ["class", "href", "rel"]
        assert parse_qs(urlsplit(telegram.get("href")).query)["text"] == [hostile]

    def test_a_preview_offers_no_share_row_and_no_script(self, client, site):
        page = tree(client.get(site["preview"]))
        assert not page.xpath("//div[@class='share']") and not page.xpath("//script")


class TestAuthorPage:
    def test_an_author_without_a_photo_has_the_header_s_whole_width(self, client, site):
        ArticleFactory(authors=[AuthorFactory(name="Пётр Иванов", slug="ivanov")])
        header = tree(client.get("/authors/ivanov/")).xpath("//section[@aria-labelledby]")[0]
        # Else the text falls into the photo's narrow column, a few letters a line.
        assert "without-photo" in header.get("class").split()
        assert not header.xpath(".//*[@class='author-photo']")
        with_photo = tree(client.get(site["author"])).xpath("//section[@aria-labelledby]")[0]
        assert "without-photo" not in with_photo.get("class").split()
        assert with_photo.xpath(".//*[@class='author-photo']")
        with open(finders.find("css/site.css"), encoding="utf-8") as stylesheet:
            css = stylesheet.read()
        assert ".author-card.without-photo { grid-template-columns: minmax(0, 1fr); }" in css
