import io
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article
from articles.sanitizer import sanitize_html
from tests.factories import ArticleFactory


@pytest.mark.parametrize(
    ("hostile", "kept"),
    [
        ("<p>Текст<script>alert(1)</script></p>", "<p>Текст</p>"),
        ('<p onclick="steal()" style="color:red">Текст</p>', "<p>Текст</p>"),
        ('<a href="javascript:alert(1)">ссылка</a>', "<a>ссылка</a>"),
        ('<a href="JaVaScRiPt:alert(1)">ссылка</a>', "<a>ссылка</a>"),
        ('<a href="jav&#x09;ascript:alert(1)">ссылка</a>', "<a>ссылка</a>"),
        ('<a href="&#106;avascript:alert(1)">ссылка</a>', "<a>ссылка</a>"),
        ('<a href=" javascript:alert(1)">ссылка</a>', "<a>ссылка</a>"),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">ссылка</a>', "<a>ссылка</a>"),
        ('<a href="vbscript:msgbox(1)">ссылка</a>', "<a>ссылка</a>"),
        ('<iframe src="https://evil.example/"></iframe>после', "после"),
        ("<svg><script>alert(1)</script><a>x</a></svg>после", "после"),
        ("<math><mtext><script>alert(1)</script></mtext></math>после", "после"),
        ('<img src="x" onerror="alert(1)">после', "после"),
        ("<style>body{display:none}</style>после", "после"),
        ("<!-- комментарий -->после", "после"),
        ('<form action="/"><input name="x"></form>после', "после"),
        ("<h1>Заголовок</h1>", "Заголовок"),
        ('<p>a<object data="x.swf"></object>b</p>', "<p>ab</p>"),
    ],
)
def test_hostile_markup_is_removed(hostile, kept):
    assert sanitize_html(hostile) == kept


def test_allowed_structure_survives_unchanged():
    html = (
        "<h2>Подзаголовок</h2><p><strong>Жирный</strong> и <em>курсив</em><br>строка</p>"
        "<ul><li>один</li></ul><ol><li>два</li></ol><blockquote><p>цитата</p></blockquote>"
        "<h3>три</h3><h4>четыре</h4>"
    )
    assert sanitize_html(html) == html


def test_relative_link_to_an_earlier_report_stays_without_rel():
    html = '<p>Как мы <a href="/kaliningrad/12-pozhar/">писали</a> раньше</p>'
    assert sanitize_html(html) == html


def test_external_link_gets_rel_and_loses_target():
    out = sanitize_html('<a href="https://example.org/?a=1&b=2" target="_blank" rel="opener">x</a>')
    assert out == '<a href="https://example.org/?a=1&amp;b=2" rel="noopener noreferrer">x</a>'


def test_mailto_link_is_kept():
    assert sanitize_html('<a href="mailto:desk@example.ru">почта</a>') == (
        '<a href="mailto:desk@example.ru">почта</a>'
    )


def test_title_with_angle_bracket_does_not_confuse_rel_marking():
    out = sanitize_html('<a title="a > b" href="https://example.org/">x</a>')
    assert out == '<a title="a &gt; b" href="https://example.org/" rel="noopener noreferrer">x</a>'


def test_control_characters_are_removed():
    assert sanitize_html("<p>а\x00б\x08в\x0bг\x1fд</p>") == "<p>абвгд</p>"


def test_empty_and_none_give_empty_string():
    assert sanitize_html("") == "" and sanitize_html(None) == ""


def test_markup_nested_twenty_thousand_deep_is_survived():
    hostile = "<div>" * 20_000 + "<b>текст</b>" + "</div>" * 20_000
    out = sanitize_html(hostile)
    assert "текст" in out and "<div" not in out


@pytest.mark.parametrize(
    "html",
    [
        '<p>Текст <a href="https://example.org/a?b=1&c=2" title="&quot;x&quot;">x</a></p>',
        "<p>1 &lt; 2 &amp;&amp; 3 &gt; 2</p>",
        "<blockquote>без абзаца</blockquote><p>  пробелы  </p>",
        '<a href="/x/">внутр</a><a href="//cdn.example/">схема</a>',
        "<ul><li><p>вложенный</p></li></ul>",
        "<p>неза<b>крыт",
    ],
)
def test_sanitizing_twice_changes_nothing(html):
    once = sanitize_html(html)
    assert sanitize_html(once) == once


# Stored once, served as stored -----------------------------------------------------------------

HOSTILE_BODY = '<p onclick="steal()">Текст</p><script>alert(1)</script>'


@pytest.mark.django_db
class TestBodiesAreSanitizedWhenWritten:
    def test_update_and_bulk_update_store_a_clean_body(self):
        updated, bulk = ArticleFactory(), ArticleFactory()
        Article.objects.filter(pk=updated.pk).update(body=HOSTILE_BODY)
        bulk.body = HOSTILE_BODY
        Article.objects.bulk_update([bulk], ["body"])
        stored = dict(Article.objects.values_list("pk", "body"))
        assert stored[updated.pk] == stored[bulk.pk] == "<p>Текст</p>"

    def test_the_page_shows_the_body_as_stored(self, client):
        story = ArticleFactory(body=HOSTILE_BODY)
        # Written around the ORM, as a careless import would: the page trusts what is stored.
        _write_raw_body(story, '<p>Текст</p><script>alert("raw")</script>')
        page = client.get(story.get_absolute_url()).content.decode()
        assert '<div class="story-body"><p>Текст</p><script>alert("raw")</script></div>' in page

    def test_a_body_nested_thousands_deep_costs_its_sanitizing_once_not_per_view(self, client):
        deep = "<blockquote>" * 8000 + "глубоко" + "</blockquote>" * 8000
        started = time.perf_counter()
        sanitize_html(deep)
        sanitizing = time.perf_counter() - started
        story = ArticleFactory(body=deep)
        client.get(story.get_absolute_url())
        started = time.perf_counter()
        response = client.get(story.get_absolute_url())
        viewing = time.perf_counter() - started
        assert response.status_code == 200 and "глубоко" in response.content.decode()
        assert viewing < sanitizing / 4, (viewing, sanitizing)


@pytest.mark.django_db
class TestResanitizeCommand:
    def test_it_cleans_a_body_written_around_the_orm_and_purges_its_page(self, client, settings):
        settings.PAGE_CACHE_ENABLED = True
        dirty, clean = ArticleFactory(body="<p>Текст</p>"), ArticleFactory(body="<p>Чисто</p>")
        _write_raw_body(dirty, "<p>Текст</p><script>alert(1)</script>")
        assert "alert(1)" in client.get(dirty.get_absolute_url()).content.decode()
        updated_at = Article.objects.get(pk=dirty.pk).updated_at

        out = io.StringIO()
        with CaptureQueriesContext(connection) as queries:
            call_command("resanitize_bodies", "--batch-size", "1", stdout=out)

        # Only the changed row is written, and it is no editor's save.
        writes = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
        assert len(writes) == 1 and "изменено 1" in out.getvalue()
        stored = Article.objects.get(pk=dirty.pk)
        assert stored.body == "<p>Текст</p>" and stored.updated_at == updated_at
        assert Article.objects.get(pk=clean.pk).body == "<p>Чисто</p>"
        # The page cache held the dirty page; the purge makes the next view the clean one.
        assert "alert(1)" not in client.get(dirty.get_absolute_url()).content.decode()

    def test_an_aggregator_holding_the_old_full_text_gets_the_new_one(self, client):
        story = ArticleFactory(body="<p>Текст</p>")
        _write_raw_body(story, "<p>Текст</p><script>alert(1)</script>")
        feed = reverse("articles:site_full_text_feed")
        held = client.get(feed)
        assert "alert(1)" in held.content.decode()

        call_command("resanitize_bodies", stdout=io.StringIO())

        # No time of the story moved, yet its full text did: the old ETag is no longer current.
        again = client.get(feed, headers={"if-none-match": held["ETag"]})
        assert again.status_code == 200 and "alert(1)" not in again.content.decode()
        assert again["ETag"] != held["ETag"]
        # Nothing changed since: a conditional GET with the new ETag is a 304.
        assert client.get(feed, headers={"if-none-match": again["ETag"]}).status_code == 304

    def test_a_second_run_changes_nothing(self):
        ArticleFactory(body=HOSTILE_BODY)
        out = io.StringIO()
        call_command("resanitize_bodies", stdout=out)
        assert "изменено 0" in out.getvalue()


def _write_raw_body(story, body: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE articles_article SET body = %s WHERE id = %s", [body, story.pk])
