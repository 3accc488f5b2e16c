"""The browser harness for the desk's tests: Chromium under the site's real Content Security Policy.

Every page runs under the site's CSP, as in production: a listener installed before any page
script records each CSP violation and uncaught error, the browser's console log is read too, and
any of them fails the test (`assert_page_clean`), so a script or style the policy blocks cannot
pass unnoticed. Screenshots of key screens go to test-artifacts/ (`screenshot`), which CI keeps.

Without Chromium and its driver these tests skip with a note; CI sets NEWSROOM_REQUIRE_BROWSER=1
so that a missing browser fails instead. `assert_no_axe_violations` runs axe-core, the audit's
copy from node_modules (`npm ci`), in the page; without it the test skips, and fails when
NEWSROOM_REQUIRE_AXE=1, as on CI.
"""

import json
import os
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(
    os.environ.get("NEWSROOM_TEST_ARTIFACTS", Path(__file__).parent.parent / "test-artifacts")
)

REQUIRE_ENV = "NEWSROOM_REQUIRE_BROWSER"
REQUIRE_AXE_ENV = "NEWSROOM_REQUIRE_AXE"
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


def start_chromium():
    """A headless Chromium with the problem recorder, or a skip (a failure on CI) without one."""
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
    return driver


@pytest.fixture
def browser(live_server):
    """A fresh Chromium per test, closed before the live server and the test database go away,
    so no kept-alive connection is served after the test's data is gone."""
    driver = start_chromium()
    yield driver
    driver.quit()


@pytest.fixture
def second_browser(live_server):
    """Another Chromium, with cookies of its own: a second person at the desk."""
    driver = start_chromium()
    yield driver
    driver.quit()


def screenshot(browser, name: str) -> Path:
    """Save the page as test-artifacts/<name>.png, for people to look at after the run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    browser.save_screenshot(str(path))
    return path


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


def assert_no_axe_violations(browser) -> None:
    """axe-core finds nothing on the page as it stands now (the desk's pages: no CSS preload,
    see audit/axe.py)."""
    from audit import axe

    if not axe.AXE_PATH.exists():
        reason = f"axe-core is not installed at {axe.AXE_PATH}: run `npm ci`"
        if os.environ.get(REQUIRE_AXE_ENV) == "1":
            pytest.fail(f"{reason}; {REQUIRE_AXE_ENV}=1 requires it")
        pytest.skip(reason)
    found = axe.violations(browser, preload=False)
    assert not found, "axe-core found:\n" + "\n".join(found)


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


def horizontal_overflow(browser) -> list[str]:
    """What is wider than the window, or than its own box (the list's table scrolls in one)."""
    return browser.execute_script(
        """
        const problems = [];
        if (document.documentElement.scrollWidth > window.innerWidth) {
            problems.push(`page ${document.documentElement.scrollWidth} > ${window.innerWidth}`);
        }
        for (const box of document.querySelectorAll('.results, .desk-row-fields, .module')) {
            if (box.scrollWidth > box.clientWidth + 1) {
                problems.push(`${box.className} ${box.scrollWidth} > ${box.clientWidth}`);
            }
        }
        return problems;
        """
    )


def log_in_as_superuser(browser, live_server, django_user_model) -> None:
    django_user_model.objects.create_superuser("desk", "desk@example.org", PASSWORD)
    log_in(browser, live_server, "desk")


def choose_in_select2(browser, container_selector: str, text: str, option_text: str) -> None:
    """Type into a select2 box and pick the option the list offers for it.

    Typed slowly (a busy machine), each letter may send a search of its own, and each answer
    draws the list again: an option found a moment ago may be gone, so the pick is retried."""
    from selenium.common.exceptions import StaleElementReferenceException
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
    option = (
        By.XPATH,
        f"//li[contains(@class, 'select2-results__option')][normalize-space(.)='{option_text}']",
    )

    def pick(driver) -> bool:
        found = ec.element_to_be_clickable(option)(driver)
        if found:
            found.click()
        return bool(found)

    WebDriverWait(
        browser, WAIT_SECONDS, ignored_exceptions=(StaleElementReferenceException,)
    ).until(pick)
