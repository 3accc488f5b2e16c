"""An editor's save while the database is down, in Chromium: the desk's 503 page says the text
stays in the browser, and when the database is back the story form offers it and saves it.

The live server reaches the real PostgreSQL through a proxy (tests/outages.py) that is cut just
before the save and restored after it.
"""

import time

import pytest
from django.db import connection

from articles.models import Article
from tests.browser import assert_page_clean, log_in, page_problems, screenshot
from tests.factories import ArticleFactory
from tests.outages import database_proxy  # noqa: F401 - the fixture
from tests.test_desk_journeys import (
    by,
    change_url,
    newsroom,  # noqa: F401 - the fixture: its regions and accounts
    present,
    rich_text,
    wait,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the live server's PostgreSQL is cut"
    ),
]


def test_a_save_during_an_outage_is_offered_back_when_the_database_returns(
    browser,
    live_server,
    newsroom,  # noqa: F811 - the fixture
    database_proxy,  # noqa: F811 - the fixture
    settings,
):
    story = ArticleFactory(region=newsroom["home"], draft=True, created_by=newsroom["journalist"])
    log_in(browser, live_server, "journalist")
    browser.get(change_url(live_server, story))
    lead = wait(browser, present("[name=lead]"))
    lead.clear()
    lead.send_keys("Паром задержался из-за шторма, пассажиры ждут в порт")  # mid-word
    editor = rich_text(browser)
    editor.click()
    editor.send_keys(" Капитан обещает выйти к вечеру")

    database_proxy.cut()
    browser.find_element(by("NAME"), "_continue").click()  # at once, not after a pause
    page = wait(browser, present("h1"))
    assert page.text == "База данных редакции не отвечает"
    assert "Ваш текст остался в этом браузере" in browser.page_source
    screenshot(browser, "desk-10-save-during-outage")
    problems = page_problems(browser)
    assert all("503" in problem.get("message", "") for problem in problems), problems

    database_proxy.restore()
    time.sleep(settings.DATABASE_RECONNECT_SECONDS + 0.2)
    browser.get(change_url(live_server, story))
    offer = wait(browser, present(".draft-notice"))
    assert "несохранённый текст" in offer.text
    offer.find_element(by("XPATH"), ".//button[normalize-space(.)='Восстановить']").click()
    assert browser.find_element(by("NAME"), "lead").get_attribute("value") == (
        "Паром задержался из-за шторма, пассажиры ждут в порт"
    )
    assert "Капитан обещает выйти к вечеру" in rich_text(browser).text
    assert_page_clean(browser)
    browser.find_element(by("NAME"), "_continue").click()
    wait(browser, present(".messagelist .success"))
    saved = Article.objects.get(pk=story.pk)
    assert saved.lead == "Паром задержался из-за шторма, пассажиры ждут в порт"
    assert "Капитан обещает выйти к вечеру" in saved.body
