"""The editor's path in a real browser: the rich-text editor and the tag box run JavaScript that no
test client executes, so Chromium drives the desk against a live server (tests/browser.py).
"""

import pytest
from django.urls import reverse

from articles.models import Article, Photo, Tag
from articles.publishing.previews import preview_path
from tests.browser import (
    PASSWORD,
    WAIT_SECONDS,
    assert_page_clean,
    choose_in_select2,
    log_in,
    page_problems,
)
from tests.factories import ArticleFactory, RegionFactory, make_image_bytes


@pytest.mark.django_db(transaction=True)
def test_editor_writes_tags_and_publishes_a_story_that_readers_then_see(
    browser, live_server, django_user_model
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    django_user_model.objects.create_superuser("desk", "desk@example.org", PASSWORD)
    RegionFactory(name="Калининград", slug="kaliningrad", time_zone="Europe/Kaliningrad")
    Tag.objects.create(name="пожары")

    log_in(browser, live_server, "desk")
    browser.get(f"{live_server.url}/admin/articles/article/add/")

    WebDriverWait(browser, WAIT_SECONDS).until(
        ec.presence_of_element_located((By.NAME, "headline"))
    ).send_keys("Склад на окраине сгорел за ночь")
    browser.find_element(By.NAME, "lead").send_keys("Пострадавших нет, движение восстановлено.")
    editor = WebDriverWait(browser, WAIT_SECONDS).until(
        lambda driver: next(
            (
                element
                for element in driver.find_elements(By.CSS_SELECTOR, ".field-body .ProseMirror")
                if element.is_displayed()
            ),
            None,
        )
    )
    editor.click()
    editor.send_keys("Огонь потушили к утру.")
    choose_in_select2(browser, ".field-region .select2-selection", "Кали", "Калининград")
    choose_in_select2(browser, ".field-tags .select2-selection", "пож", "пожары")
    choose_in_select2(browser, ".field-tags .select2-selection", "Окраина", "Окраина")
    browser.find_element(By.CSS_SELECTOR, "button[name=_transition][value=publish]").click()

    WebDriverWait(browser, WAIT_SECONDS).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, ".messagelist .success"))
    )
    assert_page_clean(browser)
    article = Article.objects.get()
    assert article.slug == "sklad-na-okraine-sgorel-za-noch"
    assert article.status == Article.Status.PUBLISHED
    assert "Огонь потушили к утру." in article.body
    assert sorted(article.tags.names()) == ["Окраина", "пожары"]

    browser.get(live_server.url + article.get_absolute_url())
    assert browser.find_element(By.TAG_NAME, "h1").text == "Склад на окраине сгорел за ночь"
    assert "Огонь потушили к утру." in browser.find_element(By.CSS_SELECTOR, ".story-body").text
    assert_page_clean(browser)


@pytest.mark.django_db(transaction=True)
def test_photo_upload_and_preview_run_under_the_content_security_policy(
    browser, live_server, django_user_model, tmp_path
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    django_user_model.objects.create_superuser("desk", "desk@example.org", PASSWORD)
    log_in(browser, live_server, "desk")

    picture = tmp_path / "naberezhnaya.jpg"
    picture.write_bytes(make_image_bytes())
    browser.get(live_server.url + reverse("admin:articles_photo_add"))
    browser.find_element(By.NAME, "image").send_keys(str(picture))
    browser.find_element(By.NAME, "alt_text").send_keys("Набережная в тумане")
    browser.find_element(By.NAME, "credit").send_keys("Анна Смирнова")
    browser.find_element(By.NAME, "_continue").click()
    WebDriverWait(browser, WAIT_SECONDS).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, ".messagelist .success"))
    )
    photo = Photo.objects.get()
    assert (photo.alt_text, photo.credit) == ("Набережная в тумане", "Анна Смирнова")
    # The change form shows the uploaded picture: the image loads under img-src.
    preview = browser.find_element(By.CSS_SELECTOR, ".field-preview img")
    assert browser.execute_script("return arguments[0].naturalWidth", preview) > 0
    assert_page_clean(browser)

    draft = ArticleFactory(draft=True, main_photo=photo, headline="Туман накрыл набережную")
    browser.get(live_server.url + reverse("admin:articles_article_change", args=[draft.pk]))
    WebDriverWait(browser, WAIT_SECONDS).until(
        lambda driver: any(
            element.is_displayed()
            for element in driver.find_elements(By.CSS_SELECTOR, ".field-body .ProseMirror")
        )
    )
    assert_page_clean(browser)

    browser.get(live_server.url + preview_path(draft))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Туман накрыл набережную"
    assert "Предпросмотр" in browser.find_element(By.CSS_SELECTOR, ".preview-banner").text
    assert_page_clean(browser)

    # The watch itself: an inline script slipped into the page is blocked, and reported.
    browser.execute_script(
        "const s = document.createElement('script');"
        "s.textContent = 'window.injected = true';"
        "document.body.appendChild(s);"
    )
    seen = []

    def blocked_script_reported(driver) -> bool:
        seen.extend(page_problems(driver))
        return any(p["kind"] == "csp" and p["directive"] == "script-src-elem" for p in seen)

    WebDriverWait(browser, WAIT_SECONDS).until(blocked_script_reported)
    assert browser.execute_script("return window.injected === undefined")
