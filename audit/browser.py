"""axe-core and screenshots in headless Chromium, driven by selenium as the browser tests are.

Each page is opened at a phone's width (375 px) and a desktop's (1280 px), in the light and the
dark scheme (`prefers-color-scheme`, emulated through the DevTools protocol); axe-core, injected
from node_modules (audit/axe.py), checks every one of those four views, the browser's console
must stay free of errors until axe is done (a failed load, a refused script or style, a 404 of
anything the page or axe asked for), and a full-page screenshot of each is saved. The desk's
story form, add and change, is checked the same way as the demo's editor sees it.
"""

import base64
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from . import axe

WIDTHS = (375, 1280)
SCHEMES = ("light", "dark")
VIEWPORT_HEIGHT = 900
# A page longer than this is cut: the screenshots are for layout, not for reading every story.
MAX_HEIGHT = 7000


@dataclass
class PageResult:
    violations: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)


def start_chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--force-color-profile=srgb",
        "--font-render-hinting=none",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def emulate(driver, width: int, scheme: str, height: int = VIEWPORT_HEIGHT) -> None:
    """A phone's screen (overlay scrollbars, touch) under 600 px, a desktop's above, and the
    colour scheme the page sees."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )


def _screenshot(driver, path: Path, width: int) -> None:
    height = min(MAX_HEIGHT, driver.execute_script("return document.documentElement.scrollHeight"))
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
    )
    path.write_bytes(base64.b64decode(shot["data"]))


def _console_errors(driver, not_found: bool) -> list[str]:
    """Errors the page logged: a broken image, a script error, a refused resource."""
    errors = [entry["message"] for entry in driver.get_log("browser")]
    errors = [e for e in errors if "SEVERE" in e or "error" in e.lower()]
    if not_found:
        # The page's own 404 status, which Chromium logs as a failed load of the document.
        errors = [
            e for e in errors if "status of 404" not in e or "/static/" in e or "/media/" in e
        ]
    return errors


def _loaded(driver) -> None:
    """Every image decoded (lazy ones too, by scrolling through), so screenshots are whole."""
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager');"
        "Promise.all([...document.images].map(i => i.decode().catch(() => null)))"
        ".then(() => document.fonts.ready).then(() => done(true));"
    )


# The story form's widgets are built by scripts after the load: the editor (an ES module, loaded
# on demand) and select2's boxes. axe checks them as the editor sees them, built.
DESK_WIDGETS_BUILT = """
return [...document.querySelectorAll('textarea[data-django-prose-editor-configurable]')]
        .every(t => t.closest('.prose-editor')?.querySelector('.ProseMirror'))
    && [...document.querySelectorAll('select.admin-autocomplete, select.tag-autocomplete')]
        .filter(s => !s.name.includes('__prefix__'))
        .every(s => s.classList.contains('select2-hidden-accessible'));
"""


def _desk_ready(driver) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 20).until(lambda d: d.execute_script(DESK_WIDGETS_BUILT))


def _check(driver, base_url: str, pages: dict[str, str], shots_dir: Path, *, desk: bool):
    results: dict[str, PageResult] = {}
    for name, url in pages.items():
        result = results[name] = PageResult()
        for width in WIDTHS:
            for scheme in SCHEMES:
                emulate(driver, width, scheme)
                driver.get_log("browser")  # start this view's log empty
                driver.get(base_url + url)
                _loaded(driver)
                if desk:
                    _desk_ready(driver)
                view = f"{width}px {scheme}"
                found = axe.violations(driver, preload=not desk)
                result.violations += [f"[{view}] {v}" for v in found]
                result.console += [
                    f"[{view}] {error}"
                    for error in _console_errors(driver, not_found=name == "404")
                ]
                suffix = "" if scheme == "light" else "-dark"
                path = shots_dir / f"{name.replace(' ', '-')}-{width}{suffix}.png"
                _screenshot(driver, path, width)
                result.screenshots.append(path)
    return results


def check_pages(base_url: str, pages: dict[str, str], shots_dir: Path) -> dict[str, PageResult]:
    """axe violations and screenshots of every page, at both widths, in both schemes."""
    shots_dir.mkdir(parents=True, exist_ok=True)
    driver = start_chromium()
    driver.set_script_timeout(60)
    try:
        return _check(driver, base_url, pages, shots_dir, desk=False)
    finally:
        driver.quit()


def check_desk_forms(
    base_url: str, forms: dict[str, str], shots_dir: Path, username: str, password: str
) -> dict[str, PageResult]:
    """The same for the desk's forms, as the demo's editor sees them."""
    from selenium.webdriver.common.by import By

    shots_dir.mkdir(parents=True, exist_ok=True)
    driver = start_chromium()
    driver.set_script_timeout(60)
    try:
        driver.get(base_url + "/admin/login/")
        driver.find_element(By.NAME, "username").send_keys(username)
        driver.find_element(By.NAME, "password").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
        return _check(driver, base_url, forms, shots_dir, desk=True)
    finally:
        driver.quit()
