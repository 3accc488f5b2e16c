"""The desk's journeys in a real browser, from the journalist's draft to the reader's page.

Each step runs in Chromium under the site's Content Security Policy (tests/browser.py): any CSP
violation or script error fails the test. Screenshots of the key screens are saved under
test-artifacts/desk-*.png for people to look at.
"""

import datetime
import re
import time

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from articles.dates import format_dateline
from articles.models import Article, RegionalRole, RegionMembership
from articles.publishing import revisions
from articles.publishing.roles import JOURNALIST_GROUP, REGIONAL_EDITOR_GROUP
from tests.browser import (
    PASSWORD,
    WAIT_SECONDS,
    assert_page_clean,
    choose_in_select2,
    log_in,
    page_problems,
    screenshot,
)
from tests.desk import ensure_desk_groups
from tests.factories import ArticleFactory, AuthorFactory, RegionFactory, make_image_bytes

# A live server needs committed data; the groups the flush removes are made again per test.
pytestmark = pytest.mark.django_db(transaction=True)

KALININGRAD = "Europe/Kaliningrad"


def by(kind):
    from selenium.webdriver.common.by import By

    return getattr(By, kind)


def wait(browser, condition, seconds=WAIT_SECONDS):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, seconds).until(condition)


def present(selector):
    from selenium.webdriver.support import expected_conditions as ec

    return ec.presence_of_element_located((by("CSS_SELECTOR"), selector))


def account(username, group, role=None, regions=()):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        username, password=PASSWORD, is_staff=True, first_name=username.title(), last_name="Тестов"
    )
    user.groups.add(Group.objects.get(name=group))
    for region in regions:
        RegionMembership.objects.create(user=user, region=region, role=role)
    return user


@pytest.fixture
def newsroom():
    ensure_desk_groups()
    home = RegionFactory(name="Калининград", slug="kaliningrad", time_zone=KALININGRAD)
    other = RegionFactory(name="Казань", slug="kazan", time_zone="Europe/Moscow")
    journalist = account("journalist", JOURNALIST_GROUP, RegionalRole.JOURNALIST, [home])
    AuthorFactory(name="Полина Ветрова", user=journalist)
    return {
        "home": home,
        "journalist": journalist,
        "editor": account("regional-editor", REGIONAL_EDITOR_GROUP, RegionalRole.EDITOR, [home]),
        "other": account("other-editor", REGIONAL_EDITOR_GROUP, RegionalRole.EDITOR, [other]),
    }


def change_url(live_server, article):
    return live_server.url + reverse("admin:articles_article_change", args=[article.pk])


def rich_text(browser):
    return wait(
        browser,
        lambda driver: next(
            (
                e
                for e in driver.find_elements(by("CSS_SELECTOR"), ".field-body .ProseMirror")
                if e.is_displayed()
            ),
            None,
        ),
    )


def fill_teaser(browser, index, kicker, title, url):
    """Fill teaser row `index`, adding a row first when the form has none left."""
    name = f"related_links-{index}-title"
    if not browser.find_elements(by("NAME"), name):
        browser.find_element(by("CSS_SELECTOR"), "#related_links-group .add-row a").click()
        wait(browser, present(f"[name='{name}']"))
    browser.find_element(by("NAME"), f"related_links-{index}-kicker").send_keys(kicker)
    browser.find_element(by("NAME"), name).send_keys(title)
    browser.find_element(by("NAME"), f"related_links-{index}-external_url").send_keys(url)


def upload_photo_in_popup(browser, path, alt, credit):
    """The story form's "+" beside the main photo: upload in the popup, come back with it chosen."""
    main = browser.current_window_handle
    browser.find_element(by("ID"), "add_id_main_photo").click()
    wait(browser, lambda driver: len(driver.window_handles) == 2)
    browser.switch_to.window(next(h for h in browser.window_handles if h != main))
    wait(browser, present("[name=image]")).send_keys(str(path))
    browser.find_element(by("NAME"), "alt_text").send_keys(alt)
    browser.find_element(by("NAME"), "credit").send_keys(credit)
    assert_page_clean(browser)
    browser.find_element(by("NAME"), "_save").click()
    wait(browser, lambda driver: len(driver.window_handles) == 1)
    browser.switch_to.window(main)
    wait(
        browser,
        lambda driver: alt in driver.find_element(by("CSS_SELECTOR"), ".field-main_photo").text,
    )


def test_a_story_goes_from_the_journalist_through_the_editor_to_readers_on_time(
    browser, second_browser, live_server, newsroom, tmp_path
):
    # 1. The journalist writes a story with a photo, tags and two teasers, and sends it for review.
    log_in(browser, live_server, "journalist")
    browser.get(live_server.url + reverse("admin:articles_article_add"))
    wait(browser, present("[name=headline]")).send_keys("Мост через Преголю откроют после ремонта")
    browser.find_element(by("NAME"), "lead").send_keys("Движение пустят в обе стороны.")
    editor = rich_text(browser)
    editor.click()
    editor.send_keys("Ремонт шёл полгода. Подрядчик уложился в срок.")
    picture = tmp_path / "most.jpg"
    picture.write_bytes(make_image_bytes(1200, 800))
    upload_photo_in_popup(browser, picture, "Мост через Преголю", "Анна Смирнова")
    choose_in_select2(browser, ".field-tags .select2-selection", "мосты", "мосты")
    fill_teaser(browser, 0, "Pro", "Как ремонтировали мост", "https://example.org/most")
    fill_teaser(browser, 1, "Карта", "Объезды на время ремонта", "https://example.org/karta")
    assert_page_clean(browser)
    screenshot(browser, "desk-1-journalist-story-form")
    browser.find_element(by("CSS_SELECTOR"), "button[name=_transition][value=submit]").click()
    wait(browser, present(".messagelist .success"))
    assert_page_clean(browser)
    story = Article.objects.get()
    assert story.status == Article.Status.REVIEW and story.created_by == newsroom["journalist"]
    assert (story.main_photo.alt_text, story.main_photo.credit) == (
        "Мост через Преголю",
        "Анна Смирнова",
    )
    assert list(story.tags.names()) == ["мосты"]
    assert [t.title for t in story.related_links.all()] == [
        "Как ремонтировали мост",
        "Объезды на время ремонта",
    ]

    # 2. The regional editor previews it and schedules it a minute ahead on Kaliningrad's clock.
    log_in(second_browser, live_server, "regional-editor")
    second_browser.get(change_url(live_server, story))
    link = wait(second_browser, present("#preview-url")).get_attribute("value")
    preview_path = re.sub(r"^https?://[^/]+", "", link)
    second_browser.get(live_server.url + preview_path)
    assert "Предпросмотр" in second_browser.find_element(by("CSS_SELECTOR"), ".preview-banner").text
    assert second_browser.find_element(by("TAG_NAME"), "h1").text == story.headline
    assert_page_clean(second_browser)
    screenshot(second_browser, "desk-2-editor-preview")
    second_browser.get(change_url(live_server, story))
    due = (timezone.now() + datetime.timedelta(seconds=60)).replace(microsecond=0)
    local = timezone.localtime(due, story.region.zone)
    wait(second_browser, present("[name=published_at_0]")).send_keys(f"{local:%d.%m.%Y}")
    second_browser.find_element(by("NAME"), "published_at_1").send_keys(f"{local:%H:%M:%S}")
    second_browser.find_element(
        by("CSS_SELECTOR"), "button[name=_transition][value=publish]"
    ).click()
    message = wait(second_browser, present(".messagelist .success")).text
    assert "запланирован на" in message
    assert_page_clean(second_browser)
    screenshot(second_browser, "desk-3-editor-scheduled")
    story.refresh_from_db()
    assert story.published_at == due

    # 3. An editor of another region neither sees it in the list nor opens it by its address.
    browser.delete_all_cookies()
    log_in(browser, live_server, "other-editor")
    browser.get(live_server.url + reverse("admin:articles_article_changelist"))
    assert story.headline not in browser.find_element(by("ID"), "content").text
    browser.get(change_url(live_server, story))
    assert "404" in browser.title or "не найден" in browser.page_source.lower()
    problems = page_problems(browser)  # the refused page, expected: nothing else
    assert [p["message"] for p in problems if "404" not in p.get("message", "")] == []

    # It appears by itself, on the region's page and with its dateline on Kaliningrad's clock.
    region_page = live_server.url + story.region.get_absolute_url()
    browser.delete_all_cookies()
    browser.get(region_page)
    assert story.headline not in browser.page_source
    deadline = time.monotonic() + 100
    while story.headline not in browser.page_source and time.monotonic() < deadline:
        time.sleep(2)
        browser.get(region_page)
    assert story.headline in browser.page_source
    assert_page_clean(browser)
    browser.get(live_server.url + story.get_absolute_url())
    dateline = browser.find_element(by("CSS_SELECTOR"), ".dateline").text
    assert dateline.startswith(f"Калининград, {format_dateline(due, KALININGRAD)}")
    assert_page_clean(browser)
    screenshot(browser, "desk-4-reader-story")


def test_of_two_editors_the_second_save_is_refused_and_keeps_its_text(
    browser, second_browser, live_server, newsroom
):
    story = ArticleFactory(region=newsroom["home"], draft=True, headline="Исходный заголовок")
    log_in(browser, live_server, "regional-editor")
    chief = account("chief-editor", "главный редактор")
    chief.first_name, chief.last_name = "Марина", "Белова"
    chief.save()
    log_in(second_browser, live_server, "chief-editor")
    for driver in (browser, second_browser):
        driver.get(change_url(live_server, story))
        wait(driver, present("[name=headline]"))
    headline = browser.find_element(by("NAME"), "headline")
    headline.clear()
    headline.send_keys("Заголовок редактора региона")
    browser.find_element(by("NAME"), "_continue").click()
    wait(browser, present(".messagelist .success"))

    lead = second_browser.find_element(by("NAME"), "lead")
    lead.clear()
    lead.send_keys("Подводка главного редактора, которую нельзя потерять.")
    second_browser.find_element(by("NAME"), "_continue").click()
    error = wait(second_browser, present(".errornote")).text
    page = second_browser.find_element(by("ID"), "content").text
    assert "сохранил(а)" in page and "Regional-Editor" in page, error
    kept = second_browser.find_element(by("NAME"), "lead").get_attribute("value")
    assert kept == "Подводка главного редактора, которую нельзя потерять."
    assert_page_clean(second_browser)
    screenshot(second_browser, "desk-5-stale-save-refused")
    story.refresh_from_db()
    assert story.headline == "Заголовок редактора региона"
    assert story.lead != kept


def test_text_typed_before_the_tab_closed_is_offered_back(browser, live_server, newsroom):
    story = ArticleFactory(region=newsroom["home"], draft=True, created_by=newsroom["journalist"])
    log_in(browser, live_server, "journalist")
    browser.get(change_url(live_server, story))
    lead = wait(browser, present("[name=lead]"))
    lead.clear()
    lead.send_keys("Спасатели продолжают работу на месте обруш")  # mid-word, mid-sentence
    editor = rich_text(browser)
    editor.click()
    editor.send_keys(" Дополнение, которое ещё не сохранено")
    time.sleep(2)  # the draft keeper writes a moment after the last keystroke
    first = browser.current_window_handle
    browser.switch_to.new_window("tab")
    second = browser.current_window_handle
    browser.switch_to.window(first)
    browser.close()  # the tab with the unsaved text is gone
    browser.switch_to.window(second)

    browser.get(change_url(live_server, story))
    offer = wait(browser, present(".draft-notice"))
    assert "несохранённый текст" in offer.text
    screenshot(browser, "desk-6-draft-offered")
    offer.find_element(by("XPATH"), ".//button[normalize-space(.)='Восстановить']").click()
    assert browser.find_element(by("NAME"), "lead").get_attribute("value") == (
        "Спасатели продолжают работу на месте обруш"
    )
    assert "Дополнение, которое ещё не сохранено" in rich_text(browser).text
    assert_page_clean(browser)
    browser.find_element(by("NAME"), "_continue").click()
    wait(browser, present(".messagelist .success"))
    story.refresh_from_db()
    assert story.lead == "Спасатели продолжают работу на месте обруш"
    assert "Дополнение, которое ещё не сохранено" in story.body


def test_an_editor_compares_two_revisions_and_restores_the_earlier(browser, live_server, newsroom):
    story = ArticleFactory(region=newsroom["home"], headline="Первая редакция заголовка")
    for headline in ("Первая редакция заголовка", "Вторая редакция заголовка"):
        story.headline = headline
        with revisions.revision(newsroom["editor"], "Сохранено"):
            story.save()
            revisions.keep(story)
    log_in(browser, live_server, "regional-editor")
    browser.get(live_server.url + reverse("admin:articles_article_revisions", args=[story.pk]))
    assert_page_clean(browser)
    browser.find_element(
        by("CSS_SELECTOR"), "input[type=submit][value='Сравнить выбранные']"
    ).click()
    diff = wait(browser, present(".word-diff"))
    assert diff.find_element(by("TAG_NAME"), "del").text == "Первая"
    assert diff.find_element(by("TAG_NAME"), "ins").text == "Вторая"
    assert_page_clean(browser)
    screenshot(browser, "desk-7-revisions-compared")
    browser.find_element(by("LINK_TEXT"), "Восстановить раннюю версию").click()
    wait(browser, present("input[type=submit][value='Восстановить эту версию']")).click()
    assert "Версия восстановлена" in wait(browser, present(".messagelist .success")).text
    assert_page_clean(browser)
    screenshot(browser, "desk-8-revision-restored")
    story.refresh_from_db()
    assert story.headline == "Первая редакция заголовка"


def test_after_an_expired_session_logging_in_brings_the_writer_back_to_their_text(
    browser, live_server, newsroom
):
    from django.contrib.sessions.models import Session

    story = ArticleFactory(region=newsroom["home"], draft=True, created_by=newsroom["journalist"])
    log_in(browser, live_server, "journalist")
    browser.get(change_url(live_server, story))
    headline = wait(browser, present("[name=headline]"))
    headline.clear()
    headline.send_keys("Заголовок, написанный перед обедом")
    time.sleep(2)  # the draft keeper writes a moment after the last keystroke
    Session.objects.all().delete()  # the session ends while the writer is away
    browser.find_element(by("NAME"), "_continue").click()
    wait(browser, present("[name=username]"))  # the desk asks to log in again
    assert_page_clean(browser)
    browser.find_element(by("NAME"), "username").send_keys("journalist")
    browser.find_element(by("NAME"), "password").send_keys(PASSWORD)
    browser.find_element(by("CSS_SELECTOR"), "input[type=submit]").click()
    offer = wait(browser, present(".draft-notice"))  # back on the story's form, text offered
    assert browser.current_url.startswith(change_url(live_server, story))
    offer.find_element(by("XPATH"), ".//button[normalize-space(.)='Восстановить']").click()
    restored = browser.find_element(by("NAME"), "headline").get_attribute("value")
    assert restored == "Заголовок, написанный перед обедом"
    assert_page_clean(browser)
    screenshot(browser, "desk-9-back-after-login")
