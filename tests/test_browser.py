"""The editor's path in a real browser: the rich-text editor and the tag box run JavaScript that no
test client executes, so Chromium drives the desk against a live server.

Without Chromium and its driver these tests skip with a note; CI sets NEWSROOM_REQUIRE_BROWSER=1
so that a missing browser fails instead.
"""

import os
import shutil

import pytest

from articles.models import Article, Tag
from tests.factories import RegionFactory

REQUIRE_ENV = "NEWSROOM_REQUIRE_BROWSER"
WAIT_SECONDS = 10
PASSWORD = "desk-password-for-tests"


def browser_unavailable_reason() -> str | None:
    """Why the browser tests cannot run here, or None when Chromium and its driver are present."""
    if shutil.which("chromium") is None or shutil.which("chromedriver") is None:
        return "browser tests need Chromium and ChromeDriver: apt-get install chromium-driver"
    return None


@pytest.fixture
def browser(live_server):
    """A fresh Chromium per test, closed before the live server and the test database go away,
    so no kept-alive connection is served after the test's data is gone."""
    reason = browser_unavailable_reason()
    if reason:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{reason}; {REQUIRE_ENV}=1 requires them")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    # Headless, and quiet: no sync, updates or background connections on a closed network.
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,2000",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    yield driver
    driver.quit()


def choose_in_select2(browser, container_selector: str, text: str, option_text: str) -> None:
    """Type into a select2 box and pick the option the list offers for it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.find_element(By.CSS_SELECTOR, container_selector).click()
    search = WebDriverWait(browser, WAIT_SECONDS).until(
        ec.visibility_of_element_located(
            (By.CSS_SELECTOR, ".select2-container--open .select2-search__field")
        )
    )
    search.send_keys(text)
    option = WebDriverWait(browser, WAIT_SECONDS).until(
        ec.element_to_be_clickable(
            (
                By.XPATH,
                "//li[contains(@class, 'select2-results__option')]"
                f"[normalize-space(.)='{option_text}']",
            )
        )
    )
    option.click()


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

    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element(By.NAME, "username").send_keys("desk")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    # The login answers with a redirect to the desk's index; only then is the session cookie set.
    WebDriverWait(browser, WAIT_SECONDS).until(
        ec.presence_of_element_located((By.ID, "user-tools"))
    )
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
    article = Article.objects.get()
    assert article.slug == "sklad-na-okraine-sgorel-za-noch"
    assert article.status == Article.Status.PUBLISHED
    assert "Огонь потушили к утру." in article.body
    assert sorted(article.tags.names()) == ["Окраина", "пожары"]

    browser.get(live_server.url + article.get_absolute_url())
    assert browser.find_element(By.TAG_NAME, "h1").text == "Склад на окраине сгорел за ночь"
    assert "Огонь потушили к утру." in browser.find_element(By.CSS_SELECTOR, ".story-body").text
