"""axe-core and screenshots in headless Chromium, driven by selenium as the browser tests are.

Each page is opened at a phone's width (375 px) and a desktop's (1280 px), in the light and the
dark scheme (`prefers-color-scheme`, emulated through the DevTools protocol); axe-core, injected
from node_modules, checks every one of those four views, the browser's console must stay free
of errors, and a full-page screenshot of each is saved.
"""

import base64
import shutil
from dataclasses import dataclass, field
from pathlib import Path

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


def _view(driver, width: int, scheme: str, height: int = VIEWPORT_HEIGHT) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )


def _axe(driver, axe_source: str) -> list[str]:
    driver.execute_script(axe_source)
    violations = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations.map(v => ({id: v.id, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))))"
        ".catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));"
    )
    return [f"{v['id']}: {v['help']} — {', '.join(v['nodes'])}" for v in violations]


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


def check_pages(
    base_url: str, pages: dict[str, str], axe_path: Path, shots_dir: Path
) -> dict[str, PageResult]:
    """axe violations and screenshots of every page, at both widths, in both schemes."""
    axe_source = axe_path.read_text()
    shots_dir.mkdir(parents=True, exist_ok=True)
    driver = start_chromium()
    driver.set_script_timeout(60)
    results: dict[str, PageResult] = {}
    try:
        for name, url in pages.items():
            result = results[name] = PageResult()
            for width in WIDTHS:
                for scheme in SCHEMES:
                    _view(driver, width, scheme)
                    driver.get_log("browser")  # start this view's log empty
                    driver.get(base_url + url)
                    _loaded(driver)
                    view = f"{width}px {scheme}"
                    result.console += [
                        f"[{view}] {error}"
                        for error in _console_errors(driver, not_found=name == "404")
                    ]
                    result.violations += [f"[{view}] {v}" for v in _axe(driver, axe_source)]
                    suffix = "" if scheme == "light" else "-dark"
                    path = shots_dir / f"{name}-{width}{suffix}.png"
                    _screenshot(driver, path, width)
                    result.screenshots.append(path)
    finally:
        driver.quit()
    return results


def check_desk_form(base_url: str, path: str, axe_path: Path) -> PageResult:
    """axe on the desk's story form, as the demo's editor sees it at 1280 px."""
    from selenium.webdriver.common.by import By

    result = PageResult()
    driver = start_chromium()
    driver.set_script_timeout(60)
    try:
        _view(driver, 1280, "light")
        driver.get(base_url + "/admin/login/")
        driver.find_element(By.NAME, "username").send_keys("editor")
        driver.find_element(By.NAME, "password").send_keys("newsroom-demo")
        driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
        driver.get_log("browser")
        driver.get(base_url + path)
        _loaded(driver)
        result.console += _console_errors(driver, not_found=False)
        result.violations += _axe(driver, axe_path.read_text())
    finally:
        driver.quit()
    return result
