import pytest

from articles.sanitizer import sanitize_html


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
