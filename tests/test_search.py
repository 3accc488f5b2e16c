"""Search: what a reader finds, in what order, how it is shown, and what never gets through."""

import datetime
import re
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.renditions import build_renditions
from articles.search import MAX_QUERY_LENGTH
from tests.desk import article_form_data, publication
from tests.factories import ArticleFactory, PhotoFactory, RegionFactory, bulk_published_stories

pytestmark = pytest.mark.django_db

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


@pytest.fixture
def _needs_postgresql():
    # Asked when the test runs: the same module runs against SQLite and PostgreSQL.
    if connection.vendor != "postgresql":
        pytest.skip("stemming, ranking and snippets are PostgreSQL full-text search")


postgresql_only = pytest.mark.usefixtures("_needs_postgresql")


@pytest.fixture(autouse=True)
def _newsroom_clock(settings):
    settings.TIME_ZONE = "Europe/Moscow"


def search_page(client, params) -> str:
    response = client.get(reverse("articles:search"), params)
    assert response.status_code == 200
    return response.content.decode()


def found(client, q: str, **filters) -> list[str]:
    """Headlines of the first page of results, in order, without highlight markup."""
    return headlines(search_page(client, {"q": q, **filters}))


def headlines(page: str) -> list[str]:
    titles = re.findall(r'<h2 class="card-title"><a href="[^"]*">(.*?)</a></h2>', page, re.S)
    return [re.sub(r"</?mark>", "", title) for title in titles]


def snippets(page: str) -> list[str]:
    return re.findall(r'<p class="card-lead">(.*?)</p>', page, re.S)


def days_ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


class TestFinding:
    def test_a_word_is_found_in_headline_lead_or_body(self, client):
        ArticleFactory(headline="Наводнение в центре города")
        ArticleFactory(headline="Вторая новость", lead="Наводнение отступает.")
        ArticleFactory(headline="Третья новость", body="<p>Сводка: <em>наводнение</em>.</p>")
        ArticleFactory(headline="Посторонняя новость")
        assert sorted(found(client, "наводнение")) == [
            "Вторая новость",
            "Наводнение в центре города",
            "Третья новость",
        ]

    def test_case_does_not_matter_in_cyrillic(self, client):
        ArticleFactory(headline="Ёлку установили на площади")
        assert found(client, "ЁЛКУ") == ["Ёлку установили на площади"]
        assert found(client, "ёлку") == ["Ёлку установили на площади"]

    def test_every_word_of_the_query_must_match(self, client):
        ArticleFactory(headline="Склад сгорел в порту")
        ArticleFactory(headline="Склад открыли после ремонта")
        assert found(client, "склад порту") == ["Склад сгорел в порту"]

    def test_markup_of_the_body_is_not_searched(self, client):
        ArticleFactory(body="<p><strong>Важно</strong>: обычный текст.</p>")
        assert found(client, "strong") == []

    def test_without_a_query_the_page_offers_the_form_and_searches_nothing(self, client):
        ArticleFactory(headline="Любая новость")
        client.get(reverse("articles:search"))  # warm the region navigation cache
        with CaptureQueriesContext(connection) as queries:
            page = search_page(client, {})
        assert len(queries) == 0
        assert 'name="q"' in page and "Введите слово или фразу" in page
        assert headlines(page) == []

    def test_nothing_found_says_so(self, client):
        ArticleFactory(headline="Новость про мост")
        page = search_page(client, {"q": "дирижабль"})
        assert "По запросу «дирижабль» ничего не нашлось" in page

    def test_results_page_is_not_indexed_by_search_engines(self, client):
        for params in ({}, {"q": "мост"}):
            assert '<meta name="robots" content="noindex">' in search_page(client, params)

    def test_header_of_every_page_has_the_search_form(self, client):
        page = client.get("/").content.decode()
        form = re.search(r'<form class="site-search" role="search"[^>]*>(.*?)</form>', page, re.S)
        assert form and 'action="/search/"' in form.group(0)
        assert '<label class="visually-hidden" for="site-search-q">' in form.group(1)


@pytest.mark.parametrize("state", ["draft", "in_review", "scheduled", "unpublished", "inactive"])
def test_invisible_story_is_never_found_nor_quoted(client, state):
    region = RegionFactory(is_active=state != "inactive")
    traits = {} if state == "inactive" else {state: True}
    ArticleFactory(
        region=region,
        headline="Невидимка: метель в городе",
        lead="Секретная подводка про метель.",
        body="<p>Секретный текст про метель.</p>",
        **traits,
    )
    ArticleFactory(headline="Видимая метель")
    page = search_page(client, {"q": "метель"})
    assert headlines(page) == ["Видимая метель"]
    assert "Невидимка" not in page and "Секретн" not in page


class TestFilters:
    def test_region_filter_keeps_one_region(self, client):
        kaliningrad = RegionFactory(name="Калининград", slug="kaliningrad")
        ArticleFactory(region=kaliningrad, headline="Туман в Калининграде")
        ArticleFactory(headline="Туман в Самаре")
        assert found(client, "туман", region="kaliningrad") == ["Туман в Калининграде"]

    def test_date_range_is_whole_days_on_the_newsroom_clock(self, client):
        def story(headline, *moment):
            ArticleFactory(
                headline=headline, published_at=datetime.datetime(*moment, tzinfo=MOSCOW)
            )

        story("Гроза накануне", 2024, 3, 9, 23, 59)
        story("Гроза утром", 2024, 3, 10, 0, 0)
        story("Гроза вечером", 2024, 3, 11, 23, 59)
        story("Гроза назавтра", 2024, 3, 12, 0, 0)
        in_range = found(client, "гроза", **{"from": "2024-03-10", "to": "2024-03-11"})
        assert in_range == ["Гроза вечером", "Гроза утром"]
        assert found(client, "гроза", **{"from": "2024-03-12"}) == ["Гроза назавтра"]
        assert found(client, "гроза", to="2024-03-09") == ["Гроза накануне"]

    @pytest.mark.parametrize(
        ("params", "message"),
        [
            ({"from": "10.03.2024"}, "Дата — в виде ГГГГ-ММ-ДД"),
            ({"to": "2024-02-30"}, "Дата — в виде ГГГГ-ММ-ДД"),
            ({"from": "вчера"}, "Дата — в виде ГГГГ-ММ-ДД"),
            ({"from": "0001-01-01"}, "Дата должна быть между 1991 и 2100 годом"),
            ({"to": "9999-12-31"}, "Дата должна быть между 1991 и 2100 годом"),
            ({"from": "2024-03-11", "to": "2024-03-10"}, "Эта дата раньше начальной"),
            ({"region": "atlantida"}, "Такого региона нет"),
        ],
    )
    def test_bad_filter_is_reported_and_left_out(self, client, params, message):
        ArticleFactory(headline="Оттепель в марте", published_at=days_ago(1))
        page = search_page(client, {"q": "оттепель", **params})
        assert message in page
        assert headlines(page) == ["Оттепель в марте"]


@pytest.mark.parametrize(
    "q",
    [
        '"незакрытая кавычка',
        "& | ! : * ( )",
        "пожар <-> склад",
        "пожар:*",
        "!!!",
        "и в на",
        "пожар\x00склад",
        "пожар " * 2000,
        "'; DROP TABLE articles_article; --",
        "\\' OR 1=1 --",
        "%_%",
        "🔥🚒",
        "-пожар",
        '<script>alert("q")</script>',
    ],
)
def test_any_text_is_a_query_that_answers(client, q):
    ArticleFactory(headline="Пожар на складе")
    page = search_page(client, {"q": q})
    assert 'class="story-list search-results"' in page or "ничего не нашлось" in page
    assert "<script" not in page
    assert Article.objects.count() == 1


def test_long_query_is_cut_to_the_limit(client):
    page = search_page(client, {"q": "пожар " * 2000})
    value = re.search(r'<input type="search" name="q" value="([^"]*)"', page).group(1)
    assert 0 < len(value) <= MAX_QUERY_LENGTH


def test_repeated_q_parameter_searches_the_last_one(client):
    ArticleFactory(headline="Листопад в парке")
    ArticleFactory(headline="Гололёд на мосту")
    response = client.get("/search/?q=листопад&q=гололёд")
    assert headlines(response.content.decode()) == ["Гололёд на мосту"]


def test_story_text_is_text_and_only_highlights_are_markup(client):
    ArticleFactory(
        headline='Вьюга <script>alert("h")</script> & «ветер»',
        lead="Вьюга <b>не</b> стихает & <img src=x onerror=alert(1)>",
        body="<p>Вьюга &amp; &lt;i&gt;мороз&lt;/i&gt;.</p>",
    )
    page = search_page(client, {"q": "вьюга"})
    results = page[page.index('<ol class="story-list') : page.index("</ol>")]
    assert "&lt;script&gt;" in results
    # <mark> only where the database highlights (PostgreSQL); every other element is the card's.
    assert set(re.findall(r"</?(\w+)", results)) - {"mark"} == {
        "ol",
        "li",
        "article",
        "div",
        "p",
        "h2",
        "a",
        "span",  # the card's region name beside the time
        "time",
    }


class TestPagination:
    def make_stories(self, count: int) -> None:
        bulk_published_stories(
            RegionFactory(), count, headline="Снегопад, сводка {n}", step=datetime.timedelta(days=1)
        )

    def test_twenty_a_page_with_links_that_keep_the_query(self, client):
        self.make_stories(21)
        first = search_page(client, {"q": "снегопад", "region": ""})
        assert len(headlines(first)) == 20
        next_link = re.search(r'rel="next" href="([^"]*)"', first).group(1).replace("&amp;", "&")
        assert "q=%D1%81%D0%BD%D0%B5%D0%B3%D0%BE%D0%BF%D0%B0%D0%B4" in next_link  # снегопад
        assert "page=2" in next_link
        second = client.get(reverse("articles:search") + next_link)
        assert len(headlines(second.content.decode())) == 1

    @pytest.mark.parametrize("page", ["abc", "0", "-1", "3", "99999"])
    def test_bad_or_past_the_end_page_is_a_404(self, client, page):
        self.make_stories(21)
        response = client.get(reverse("articles:search"), {"q": "снегопад", "page": page})
        assert response.status_code == 404


def test_query_count_is_the_same_for_one_result_and_twenty(client):
    def add_story():
        photo = PhotoFactory()
        build_renditions(photo)
        ArticleFactory(headline="Ледоход на реке", main_photo=photo)

    def queries() -> tuple[int, int]:
        search_page(client, {"q": "ледоход"})  # warm the region navigation cache
        with CaptureQueriesContext(connection) as captured:
            page = search_page(client, {"q": "ледоход"})
        return len(captured), len(headlines(page))

    add_story()
    one = queries()
    for _ in range(19):
        add_story()
    twenty = queries()
    # The page of results with region and photo; their renditions.
    assert one == (2, 1)
    assert twenty == (2, 20)


class TestPostgresql:
    pytestmark = postgresql_only

    def test_inflected_forms_find_each_other(self, client):
        ArticleFactory(headline="Пожары в лесах области")
        ArticleFactory(headline="Новость дня", body="<p>О пожаре сообщили утром.</p>")
        ArticleFactory(headline="Пожарные учения", published_at=days_ago(2))
        assert sorted(found(client, "пожар")) == ["Новость дня", "Пожары в лесах области"]
        assert sorted(found(client, "пожарами")) == ["Новость дня", "Пожары в лесах области"]

    def test_headline_outranks_lead_outranks_body(self, client):
        moment = days_ago(3)
        ArticleFactory(headline="Сводка", body="<p>Паводок подходит.</p>", published_at=moment)
        ArticleFactory(headline="Паводок подходит к городу", published_at=moment)
        ArticleFactory(headline="Обзор", lead="Паводок подходит.", published_at=moment)
        assert found(client, "паводок") == ["Паводок подходит к городу", "Обзор", "Сводка"]

    def test_fresher_story_wins_between_equal_matches(self, client):
        ArticleFactory(headline="Метеорит над городом", published_at=days_ago(200))
        ArticleFactory(headline="Метеорит над городом снова", published_at=days_ago(1))
        assert found(client, "метеорит") == ["Метеорит над городом снова", "Метеорит над городом"]

    def test_freshness_never_outweighs_a_much_better_match(self, client):
        ArticleFactory(headline="Землетрясение в горах", published_at=days_ago(400))
        ArticleFactory(headline="Новость", body="<p>Вспомнили землетрясение.</p>")
        assert found(client, "землетрясение") == ["Землетрясение в горах", "Новость"]

    def test_websearch_syntax_phrases_and_exclusions(self, client):
        ArticleFactory(headline="Мост закрыли на ремонт")
        ArticleFactory(headline="Ремонт закончили, мост открыт")
        assert found(client, '"мост закрыли"') == ["Мост закрыли на ремонт"]
        assert found(client, "ремонт -закрыли") == ["Ремонт закончили, мост открыт"]
        assert found(client, "мост or дирижабль") != []

    def test_only_stop_words_find_nothing(self, client):
        ArticleFactory(headline="И в на дороге")
        assert found(client, "и в на") == []

    def test_matches_are_marked_in_headline_and_snippet(self, client):
        ArticleFactory(
            headline="Пожары в области",
            lead="Подводка без совпадений.",
            body="<p>Начало.</p><h2>Подробности</h2><p>Второй пожар &amp; дым потушили.</p>",
        )
        page = search_page(client, {"q": "пожар"})
        assert "<mark>Пожары</mark> в области" in page
        (snippet,) = snippets(page)
        assert "<mark>пожар</mark> &amp; дым потушили" in snippet
        assert "h2" not in snippet

    def test_snippet_marks_a_word_of_the_query_found_in_the_body_alone(self, client):
        ArticleFactory(
            headline="Пожар в порту",
            lead="Подводка без совпадений.",
            body="<p>Начало. " + "Слово. " * 40 + "Огонь охватил склады у причала.</p>",
        )
        page = search_page(client, {"q": "пожар склад -учения"})
        assert "<mark>Пожар</mark> в порту" in page
        (snippet,) = snippets(page)
        assert "<mark>склады</mark> у причала" in snippet

    def test_snippet_keeps_angle_brackets_of_the_text(self, client):
        ArticleFactory(
            headline="Курс", body="<p>Курс &lt;b&gt; вырос: курс &lt; 100, и курс растёт.</p>"
        )
        (snippet,) = snippets(search_page(client, {"q": "курс"}))
        assert "&lt;b&gt;" in snippet and "&lt; 100" in snippet


@postgresql_only
def test_search_vector_is_current_on_every_write_path(client, admin_client):
    def findable(word: str) -> list[str]:
        return found(client, word)

    region = RegionFactory()
    yesterday = timezone.now() - datetime.timedelta(days=1)
    added = admin_client.post(
        reverse("admin:articles_article_add"),
        article_form_data(
            region,
            headline="Радуга над заливом",
            _transition="publish",
            **publication(yesterday, region.time_zone),
        ),
    )
    assert added.status_code == 302
    assert findable("радуга") == ["Радуга над заливом"]

    story = ArticleFactory(headline="Затмение", body="<p>Луна.</p>")
    story.body = "<p>Солнце.</p>"
    story.save()
    assert findable("солнце") == ["Затмение"] and findable("луна") == []

    Article.objects.bulk_create(
        [
            Article(
                region=region,
                headline="Торнадо",
                slug="tornado",
                lead="Смерч.",
                status=Article.Status.PUBLISHED,
                published_at=days_ago(1),
            )
        ]
    )
    assert findable("смерч") == ["Торнадо"]

    Article.objects.filter(headline="Торнадо").update(lead="Вихрь.")
    assert findable("вихрь") == ["Торнадо"] and findable("смерч") == []


@postgresql_only
def test_search_can_use_the_gin_index():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM articles_article "
            "WHERE search_vector @@ websearch_to_tsquery('russian', 'пожар')"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "article_search_vector_idx" in plan


def test_search_pages_are_valid_html(client, html_checker):
    photo = PhotoFactory()
    build_renditions(photo)
    RegionFactory(name="Калининград", slug="kaliningrad")
    ArticleFactory(headline="Шторм у побережья & «волны»", main_photo=photo)
    ArticleFactory(headline="Шторм утих", body="<p>Шторм <strong>утих</strong> к утру.</p>")
    pages = {
        "no query": {},
        "results": {"q": "шторм"},
        "nothing found": {"q": "дирижабль"},
        "bad filters": {"q": "шторм", "from": "вчера", "region": "atlantida"},
    }
    for name, params in pages.items():
        html_checker.assert_valid(search_page(client, params).encode(), page_name=f"search: {name}")
