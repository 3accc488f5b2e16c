"""The HTML checker itself: it must catch real errors, pass the modern markup our pages use,
and skip (or, in CI, fail) when it cannot run, since a validator that silently passes
everything would be worse than none.
"""

import os
import stat
import sys

import pytest

from tests import htmlcheck


def page(body: str) -> str:
    """A complete, valid document around ``body``, so each bad case carries exactly one fault."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="ru">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        "<title>Новости региона</title>\n"
        "</head>\n"
        "<body>\n"
        f"{body}\n"
        "</body>\n"
        "</html>\n"
    )


ARTICLE_PAGE = """<!DOCTYPE html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Паводок в Томске — Новости региона</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Паводок в Томске", "datePublished": "2026-04-12T09:30:00+07:00"}
</script>
</head>
<body>
<header>
<nav aria-label="Разделы">
<ul>
<li><a href="/politika/">Политика</a></li>
<li><a href="/obshchestvo/">Общество</a></li>
</ul>
</nav>
</header>
<main>
<article>
<h1>Паводок в Томске</h1>
<p><time datetime="2026-04-12T09:30+07:00">12 апреля 2026, 09:30</time></p>
<picture>
<source type="image/webp"
        srcset="/media/flood-480.webp 480w, /media/flood-960.webp 960w"
        sizes="(max-width: 600px) 480px, 960px">
<img src="/media/flood-960.jpg"
     srcset="/media/flood-480.jpg 480w, /media/flood-960.jpg 960w"
     sizes="(max-width: 600px) 480px, 960px"
     alt="Затопленная набережная Томи" width="960" height="540"
     loading="lazy" decoding="async">
</picture>
<p>Вода в Томи поднялась на шесть метров; набережную закрыли до выходных.</p>
</article>
</main>
</body>
</html>
"""


@pytest.mark.parametrize("as_bytes", [False, True], ids=["str", "bytes"])
def test_modern_article_markup_is_valid(html_checker, as_bytes):
    html = ARTICLE_PAGE.encode("utf-8") if as_bytes else ARTICLE_PAGE

    assert html_checker.errors(html) == []
    html_checker.assert_valid(html, page_name="article page")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            '<p id="lead">Один</p>\n<p id="lead">Два</p>', "Duplicate ID “lead”.", id="duplicate-id"
        ),
        pytest.param(
            '<img src="/media/flood.jpg" width="960" height="540">',
            "An “img” element must have an “alt” attribute",
            id="img-without-alt",
        ),
        pytest.param("<p>Текст</p>\n</div>", "Stray end tag “div”.", id="stray-end-tag"),
        pytest.param(
            "<p><div>Блок</div></p>",
            "No “p” element in scope but a “p” end tag seen.",
            id="div-inside-p",
        ),
    ],
)
def test_each_fault_is_reported(html_checker, body, expected):
    errors = html_checker.errors(page(body))

    assert [error["message"][: len(expected)] for error in errors] == [expected]


def test_assert_valid_names_the_page_and_locates_each_error(html_checker):
    html = page("<p>Текст</p>\n</div>")
    line = html.splitlines().index("</div>") + 1

    with pytest.raises(AssertionError) as failure:
        html_checker.assert_valid(html, page_name="article page")

    header, location, extract, carets = str(failure.value).splitlines()
    assert header == "Nu HTML Checker: 1 error in article page:"
    assert location == f"line {line}, column 1: Stray end tag “div”."
    # The carets underline the stray tag itself, newlines in the extract shown as ↵.
    assert extract[carets.index("^") : len(carets)] == "</div>"
    assert "↵</div>↵" in extract


def test_warnings_do_not_fail_a_page(html_checker):
    html = page("<section><p>Без заголовка</p></section>")

    assert any(m.get("subType") == "warning" for m in html_checker.messages(html))
    assert html_checker.errors(html) == []
    html_checker.assert_valid(html)


@pytest.mark.parametrize(
    ("message", "fails"),
    [
        ({"type": "error", "message": "Stray end tag “div”."}, True),
        ({"type": "error", "subType": "fatal", "message": "Garbage after “</html>”."}, True),
        (
            {
                "type": "non-document-error",
                "subType": "io",
                "message": "Resource size exceeds limit.",
            },
            True,
        ),
        ({"type": "info", "subType": "warning", "message": "Section lacks heading."}, False),
        ({"type": "info", "message": "Trailing slash on void elements has no effect."}, False),
    ],
    ids=["error", "fatal", "unreadable", "warning", "info"],
)
def test_which_messages_fail_a_page(message, fails):
    assert htmlcheck.is_error(message) is fails


def test_message_without_extract_or_position_still_reads():
    message = {"type": "non-document-error", "message": "Resource size exceeds limit."}

    assert htmlcheck.format_message(message) == "line ?, column ?: Resource size exceeds limit."


@pytest.fixture
def no_java(monkeypatch):
    """This machine as one without a JRE: nothing named java on PATH."""
    monkeypatch.setattr(htmlcheck.shutil, "which", lambda name: None)


def test_missing_java_is_the_reason(no_java):
    assert htmlcheck.checker_unavailable_reason() == htmlcheck.JAVA_MISSING


def test_missing_jar_is_the_reason(monkeypatch):
    monkeypatch.setattr(htmlcheck.shutil, "which", lambda name: "/usr/bin/java")
    monkeypatch.setattr(htmlcheck, "find_vnu_jar", lambda: None)

    assert htmlcheck.checker_unavailable_reason() == htmlcheck.JAR_MISSING


@pytest.mark.parametrize("value", [None, "", "0"])
def test_without_java_the_checker_skips(no_java, monkeypatch, value):
    if value is None:
        monkeypatch.delenv(htmlcheck.REQUIRE_ENV, raising=False)
    else:
        monkeypatch.setenv(htmlcheck.REQUIRE_ENV, value)

    with pytest.raises(pytest.skip.Exception) as outcome:
        htmlcheck.start_checker()

    assert outcome.value.msg == htmlcheck.JAVA_MISSING


def test_without_java_ci_fails(no_java, monkeypatch):
    monkeypatch.setenv(htmlcheck.REQUIRE_ENV, "1")

    with pytest.raises(pytest.fail.Exception) as outcome:
        htmlcheck.start_checker()

    assert outcome.value.msg.startswith(htmlcheck.JAVA_MISSING)
    assert "NEWSROOM_REQUIRE_HTML_CHECK=1" in outcome.value.msg


def fake_java(tmp_path, script):
    """An executable that takes java's arguments and runs the Python ``script`` instead.

    Python rather than sh, so it needs nothing from PATH: the no-Java runs empty PATH.
    """
    path = tmp_path / "java"
    path.write_text(f"#!{sys.executable}\nimport os, sys, time\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_a_checker_that_exits_is_a_skip_with_its_output(tmp_path, monkeypatch):
    java = fake_java(tmp_path, 'print("Error: Could not find or load main class"); sys.exit(3)')
    monkeypatch.setattr(htmlcheck.shutil, "which", lambda name: java)
    monkeypatch.setattr(htmlcheck, "find_vnu_jar", lambda: tmp_path / "vnu.jar")
    monkeypatch.delenv(htmlcheck.REQUIRE_ENV, raising=False)

    with pytest.raises(pytest.skip.Exception) as outcome:
        htmlcheck.start_checker()

    assert "exited with status 3" in outcome.value.msg
    assert "Could not find or load main class" in outcome.value.msg


def test_a_checker_that_never_answers_is_stopped(tmp_path):
    pid_file = tmp_path / "pid"
    java = fake_java(
        tmp_path, f"open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    )
    checker = htmlcheck.NuChecker(java, tmp_path / "vnu.jar")

    with pytest.raises(htmlcheck.CheckerStartError, match="did not answer within 1 s"):
        checker.start(timeout=1)

    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)
