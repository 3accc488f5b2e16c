"""The editor's path in a real browser: the rich-text editor and the tag box run JavaScript that no
test client executes, so Chromium drives the desk against a live server.

Every page runs under the site's Content Security Policy, as in production: a listener installed
before any page script records each CSP violation and uncaught error, the browser's console log is
read too, and any of them fails the test (`assert_page_clean`), so a script or style the policy
blocks cannot pass unnoticed.

Without Chromium and its driver these tests skip with a note; CI sets NEWSROOM_REQUIRE_BROWSER=1
so that a missing browser fails instead.
"""

import json
import os
import shutil

import pytest
from django.urls import reverse

from articles.models import Article, Photo, Tag
from articles.publishing.previews import preview_path
from tests.factories import ArticleFactory, RegionFactory, make_image_bytes

REQUIRE_ENV = "NEWSROOM_REQUIRE_BROWSER"
WAIT_SECONDS = 10
PASSWORD = "desk-password-for-tests"

# Runs in every document before its own scripts (DevTools injects it, so the policy does not
# apply to it). Violations and errors go to sessionStorage, which outlives the page's navigations.
PROBLEM_RECORDER = """
(() => {
    const record = (kind, entry) => {
        try {
            const seen = JSON.parse(sessionStorage.getItem('page-problems') || '[]');
            seen.push(Object.assign({kind: kind, page: location.href}, entry));
            sessionStorage.setItem('page-problems', JSON.stringify(seen));
        } catch (ignored) {}
    };
    document.addEventListener('securitypolicyviolation', (event) => record('csp', {
        directive: event.effectiveDirective,
        blocked: event.blockedURI,
        source: event.sourceFile + ':' + event.lineNumber,
        sample: event.sample,
    }), true);
    window.addEventListener('error', (event) => record('error', event instanceof ErrorEvent ? {
        message: String(event.message),
        source: event.filename + ':' + event.lineno,
    } : {
        // A resource that failed to load: an element's error, not a script's.
        message: 'failed to load',
        element: event.target && event.target.outerHTML && event.target.outerHTML.slice(0, 200),
    }), true);
    window.addEventListener('unhandledrejection', (event) => record('rejection', {
        message: String(event.reason),
    }));
})();
"""


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
    # The console log, for what the page itself reports (console.error, failed loads).
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PROBLEM_RECORDER})
    yield driver
    driver.quit()


def page_problems(browser) -> list:
    """CSP violations, uncaught errors and console errors since the last call."""
    recorded = browser.execute_script(
        "const seen = sessionStorage.getItem('page-problems') || '[]';"
        "sessionStorage.removeItem('page-problems');"
        "return seen;"
    )
    problems = json.loads(recorded)
    problems += [
        {"kind": "console", "message": entry["message"]}
        for entry in browser.get_log("browser")
        if entry["level"] in ("SEVERE", "WARNING")
    ]
    return problems


def assert_page_clean(browser) -> None:
    problems = page_problems(browser)
    assert not problems, "the page broke its policy or its scripts:\n" + "\n".join(
        json.dumps(problem, ensure_ascii=False) for problem in problems
    )


def log_in(browser, live_server, username: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    # The login answers with a redirect to the desk's index; only then is the session cookie set.
    WebDriverWait(browser, WAIT_SECONDS).until(
        ec.presence_of_element_located((By.ID, "user-tools"))
    )
    assert_page_clean(browser)


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
