"""Search: what a reader finds, in what order, how it is shown, and what never gets through."""

import datetime
import importlib
import os
import re
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import search
from articles.context_processors import active_regions
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

# Migration 0010 builds the RUM index where the server has the extension, GIN otherwise.
search_indexes = importlib.import_module("articles.migrations.0011_search_index_ordered_by_time")
# CI installs postgresql-15-rum: there the RUM path must be tested, not skipped.
REQUIRE_RUM = "NEWSROOM_REQUIRE_RUM"


@pytest.fixture(params=["gin", "rum"])
def search_index(request):
    """Each PostgreSQL search test on both paths: the RUM index, and the GIN one it falls back to.

    The index is swapped inside the test's transaction, so the rollback restores the migrated
    one."""
    if connection.vendor != "postgresql":
        pytest.skip("the search index is PostgreSQL's")
    yield from _with_index(request.param)


@pytest.fixture(params=["gin", "rum"])
def any_database_path(request):
    """SQLite once; PostgreSQL with each index."""
    if connection.vendor != "postgresql":
        if request.param == "rum":
            pytest.skip("SQLite has one path")
        yield "sqlite"
        return
    yield from _with_index(request.param)


def _with_index(kind: str):
    if kind == "rum":
        if not search_indexes.rum_available(connection):
            message = "the server has no RUM extension (apt-get install postgresql-15-rum)"
            if os.environ.get(REQUIRE_RUM):
                pytest.fail(f"{message}; {REQUIRE_RUM} is set")
            pytest.skip(message)
        if not search.has_rum_index(connection.alias):
            assert search_indexes.create_rum_extension(connection)
            with connection.schema_editor() as editor:
                search_indexes.use_rum(editor)
    else:
        with connection.schema_editor() as editor:
            search_indexes.use_gin(editor)
    search.forget_search_index()
    assert search.has_rum_index(connection.alias) == (kind == "rum")
    yield kind
    search.forget_search_index()


def index_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'articles_article'"
            " AND indexname LIKE 'article_search%%'"
        )
        return {row[0] for row in cursor.fetchall()}


def newest_matches(text: str):
    """The query search_articles() takes its candidates with."""
    with CaptureQueriesContext(connection) as captured:
        search.search_articles(text)
    return captured[0]["sql"]


def plan_of(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


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

    def queries() -> tuple[int, int, int]:
        """Queries of a search whose cards are not cached yet, then of the same search again."""
        active_regions()  # the region navigation, cached apart (a new story's region cleared it)
        counts = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                page = search_page(client, {"q": "ледоход"})
            counts.append(len(captured))
        return *counts, len(headlines(page))

    search_page(client, {"q": "дирижабль"})  # the site's next release, cached till it changes
    add_story()
    one = queries()
    for _ in range(19):
        add_story()
    twenty = queries()
    # The newest matches' ids; the page of results (as values); the stories of the cards not
    # yet cached, with region and photo, and their renditions. Once they are, the cards cost
    # no query.
    assert one == (4, 2, 1)
    assert twenty == (4, 2, 20)


def test_a_search_matching_nothing_asks_only_for_matches(client):
    ArticleFactory(headline="Ледоход на реке")
    with CaptureQueriesContext(connection) as captured:
        page = search_page(client, {"q": "дирижабль"})
    assert "ничего не нашлось" in page
    # The matches (none), the region navigation, and when the site's next story comes out or
    # goes: no page of results to fetch.
    assert len(captured) == 3
    with CaptureQueriesContext(connection) as captured:
        search_page(client, {"q": "цеппелин"})
    assert len(captured) == 1  # the navigation and the next release are cached


class TestPostgresql:
    pytestmark = pytest.mark.usefixtures("search_index")

    def test_a_cached_card_shows_each_query_its_own_marks(self, client):
        ArticleFactory(headline="Ледоход на реке Томь", lead="Лёд тронулся у моста.")
        first = search_page(client, {"q": "ледоход"})
        second = search_page(client, {"q": "Томь"})
        assert "<mark>Ледоход</mark> на реке Томь" in first
        assert "Ледоход на реке <mark>Томь</mark>" in second
        # The card itself is the same: the second search read it from the cache.
        assert first.count('class="card"') == second.count('class="card"') == 1

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


@pytest.mark.usefixtures("search_index")
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


def test_search_uses_its_index(search_index):
    """GIN answers `@@`; RUM returns the matches newest first from the index itself."""
    bulk_published_stories(RegionFactory(), 40, headline="Сводка {n}")
    ArticleFactory(headline="Пожар на складе")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
        # A table this small is read whole; at scale the planner prefers the indexes alone.
        cursor.execute("SET LOCAL enable_seqscan = off")
        if search_index == "rum":
            cursor.execute("SET LOCAL enable_bitmapscan = off")
    plan = plan_of(newest_matches("пожар"))
    if search_index == "gin":
        assert "article_search_vector_idx" in plan and "article_search_rum_idx" not in plan
    else:
        assert "Index Scan using article_search_rum_idx" in plan, plan
        assert "Order By: (published_at <=| '2100-01-01 00:00:00+00'" in plan, plan


def test_a_word_in_every_story_walks_the_newest_stories(search_index, monkeypatch):
    """A word in every story: the newest stories are read in order and tested, not every match."""
    monkeypatch.setattr(search, "SEARCH_CANDIDATES", 10)
    bulk_published_stories(RegionFactory(), 300, headline="Сводка погоды {n}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    plan = plan_of(newest_matches("погода"))
    walked = "article_search_newest_idx" if search_index == "rum" else "article_status_pub_idx"
    assert f"Index Scan using {walked}" in plan, plan


class TestMigration:
    pytestmark = postgresql_only

    def test_without_rum_on_the_server_the_gin_index_is_kept(self, monkeypatch):
        with connection.schema_editor() as editor:
            search_indexes.use_gin(editor)
            monkeypatch.setattr(search_indexes, "rum_available", lambda connection: False)
            search_indexes.forwards(None, editor)
        assert index_names() == {"article_search_vector_idx"}

    def test_a_role_that_may_not_create_extensions_keeps_the_gin_index(self):
        if not search_indexes.rum_available(connection):
            pytest.skip("the PostgreSQL server has no RUM extension to be refused")
        with connection.cursor() as cursor:
            cursor.execute("DROP EXTENSION IF EXISTS rum CASCADE")
        with connection.schema_editor() as editor:
            search_indexes.use_gin(editor)
        with connection.cursor() as cursor:
            cursor.execute("CREATE ROLE newsroom_test_no_extensions")
            cursor.execute("SET LOCAL ROLE newsroom_test_no_extensions")
        assert search_indexes.create_rum_extension(connection) is False
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
        assert index_names() == {"article_search_vector_idx"}

    def test_with_rum_on_the_server_the_rum_index_replaces_gin(self):
        if not search_indexes.rum_available(connection):
            if os.environ.get(REQUIRE_RUM):
                pytest.fail(f"the PostgreSQL server has no RUM extension; {REQUIRE_RUM} is set")
            pytest.skip("the PostgreSQL server has no RUM extension")
        with connection.schema_editor() as editor:
            search_indexes.use_gin(editor)
            search_indexes.forwards(None, editor)
        assert index_names() == {"article_search_rum_idx", "article_search_newest_idx"}
        with connection.schema_editor() as editor:
            search_indexes.backwards(None, editor)
        assert index_names() == {"article_search_vector_idx"}


class TestOnlyTheNewestMatchesAreRanked:
    """Search ranks the SEARCH_CANDIDATES newest matches (three here), says if there are more."""

    @pytest.fixture(autouse=True)
    def _three_candidates(self, monkeypatch, any_database_path):
        monkeypatch.setattr(search, "SEARCH_CANDIDATES", 3)

    def test_older_matches_are_left_out_and_the_page_says_so(self, client):
        # The best match by far is the oldest: it is past the newest three, so it is not ranked.
        ArticleFactory(headline="Оползень у реки", published_at=days_ago(40))
        for days in (1, 2, 3, 4):
            ArticleFactory(
                headline=f"Сводка {days}", body="<p>Оползень.</p>", published_at=days_ago(days)
            )
        page = search_page(client, {"q": "оползень"})
        assert headlines(page) == ["Сводка 1", "Сводка 2", "Сводка 3"]
        assert "Совпадений много: показаны 3 самых свежих совпадения." in page
        next_page = client.get(reverse("articles:search"), {"q": "оползень", "page": "2"})
        assert next_page.status_code == 404

    def test_within_the_newest_the_ranking_rule_holds(self, client):
        ArticleFactory(headline="Сводка", body="<p>Оползень.</p>", published_at=days_ago(1))
        ArticleFactory(headline="Оползень у дороги", published_at=days_ago(2))
        ArticleFactory(headline="Обзор", lead="Оползень.", published_at=days_ago(3))
        page = search_page(client, {"q": "оползень"})
        if connection.vendor == "postgresql":
            assert headlines(page) == ["Оползень у дороги", "Обзор", "Сводка"]
        else:  # no ranking on SQLite: newest first
            assert headlines(page) == ["Сводка", "Оползень у дороги", "Обзор"]
        assert "Совпадений много" not in page

    def test_the_cap_counts_the_stories_the_filters_keep(self, client):
        here, elsewhere = RegionFactory(slug="here"), RegionFactory(slug="elsewhere")
        for days in range(1, 4):
            ArticleFactory(region=here, headline=f"Оползень {days}", published_at=days_ago(days))
        for days in range(1, 6):
            ArticleFactory(region=elsewhere, headline="Оползень", published_at=days_ago(days))
        page = search_page(client, {"q": "оползень", "region": "here"})
        assert headlines(page) == ["Оползень 1", "Оползень 2", "Оползень 3"]
        assert "Совпадений много" not in page
        assert "Совпадений много" in search_page(client, {"q": "оползень"})

    def test_invisible_stories_are_not_candidates(self, client):
        for days in range(1, 4):
            ArticleFactory(headline=f"Оползень {days}", published_at=days_ago(days))
        ArticleFactory(headline="Оползень, черновик", draft=True)
        ArticleFactory(headline="Оползень завтра", scheduled=True)
        page = search_page(client, {"q": "оползень"})
        assert headlines(page)[0] == "Оползень 1" and len(headlines(page)) == 3
        assert "Совпадений много" not in page


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (1, "показаны 1 самое свежее совпадение"),
        (3, "показаны 3 самых свежих совпадения"),
        (11, "показаны 11 самых свежих совпадений"),
        (1000, "показаны 1000 самых свежих совпадений"),
    ],
)
def test_more_matches_notice_agrees_with_its_number(count, text):
    assert text in search.more_matches_notice(count)


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
