"""`make audit`: the reader's site measured as a reader's browser and a search engine see it.

Seeds the demo newsroom into a throwaway SQLite database, serves it with gunicorn under
production settings (DEBUG off, WhiteNoise serving compressed static files), then:

- Lighthouse (mobile) on the story, home, region, tag and 404 pages: every category at least
  LIGHTHOUSE_BUDGET; each page runs up to LIGHTHOUSE_RUNS times and the best run counts;
- axe-core on every public page type (home, region, day archive, tag, author, story, search,
  404, preview) and on the desk's story form (add and change), at 375 and 1280 px, light and
  dark scheme: no violation, and no error in the browser's console (a 404 included);
- full-page screenshots of each at 375 and 1280 px, both schemes, into
  test-artifacts/screenshots/, compared with the accepted ones in audit/accepted/.

Prints a table and exits 1 when any budget is missed. `--accept` stores today's screenshots as
the accepted ones instead of comparing (`make audit-accept`).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.run import free_port, wait_for

from . import browser, visual

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WORK_DIR = ROOT / ".cache" / "audit"
ARTIFACTS = ROOT / "test-artifacts"
NODE_MODULES = ROOT / "node_modules"
LIGHTHOUSE_BUDGET = 98
LIGHTHOUSE_RUNS = 3
LIGHTHOUSE_PAGES = ("story", "home", "region", "tag", "404")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
DEMO_ARTICLES = "150"
DEMO_PHOTOS = "10"


def audit_environment(port: int) -> dict[str, str]:
    """Production settings on plain HTTP (no TLS in front of gunicorn here)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DATABASE_URL": f"sqlite:///{WORK_DIR / 'db.sqlite3'}",
        "DEBUG": "0",
        "SECRET_KEY": "audit-only-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "MEDIA_ROOT": str(WORK_DIR / "media"),
        "STATIC_ROOT": str(WORK_DIR / "static"),
        "LOG_LEVEL": "ERROR",
        "CHROME_PATH": shutil.which("chromium") or "/usr/bin/chromium",
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare(env: dict[str, str]) -> dict[str, str]:
    """A fresh demo site: migrated, seeded, static files collected. Returns the pages' URLs."""
    shutil.rmtree(WORK_DIR, ignore_errors=True)
    WORK_DIR.mkdir(parents=True)
    manage(env, "migrate", "--noinput", "-v0")
    manage(
        env,
        "seed_demo",
        "--articles",
        DEMO_ARTICLES,
        "--photos",
        DEMO_PHOTOS,
        "--no-progress",
        # A throwaway site on this machine: the demo's published password is fine here.
        "--with-demo-accounts",
        "-v0",
    )
    manage(env, "collectstatic", "--noinput", "-v0")
    listing = subprocess.run(
        [PYTHON, "-m", "audit.pages"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return json.loads(listing.stdout)


# The demo's superuser (articles/demo/accounts.py, made by seed_demo --with-demo-accounts).
DESK_USER = ("editor", "newsroom-demo")


def desk_forms(pages: dict[str, str]) -> dict[str, str]:
    """The desk's story form: a new story's, and the one of the story the audit reads
    (/<region>/<id>-<slug>/ gives its id)."""
    story_id = pages["story"].strip("/").split("/")[-1].split("-")[0]
    return {
        "desk add": "/admin/articles/article/add/",
        "desk change": f"/admin/articles/article/{story_id}/change/",
    }


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our own server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def run_lighthouse(base_url: str, pages: dict[str, str], env: dict[str, str]) -> dict:
    ARTIFACTS.joinpath("lighthouse").mkdir(parents=True, exist_ok=True)
    config = {
        "pages": {
            name: {"url": base_url + pages[name], "notFound": name == "404"}
            for name in LIGHTHOUSE_PAGES
        },
        "runs": LIGHTHOUSE_RUNS,
        "budget": LIGHTHOUSE_BUDGET,
        "reportDir": str(ARTIFACTS / "lighthouse"),
    }
    config_path = WORK_DIR / "lighthouse.json"
    config_path.write_text(json.dumps(config))
    run = subprocess.run(
        ["node", str(Path(__file__).with_name("lighthouse.mjs")), str(config_path)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(run.stdout)


def table(checked: dict, lighthouse: dict) -> str:
    header = ["page", *CATEGORIES, "runs", "axe", "console errors"]
    rows = []
    for name in checked:
        scores = lighthouse.get(name)
        cells = [str(scores["scores"][c]) for c in CATEGORIES] if scores else ["—"] * 4
        runs = str(scores["runs"]) if scores else "—"
        result = checked[name]
        rows.append([name, *cells, runs, str(len(result.violations)), str(len(result.console))])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def check_tools() -> None:
    missing = [tool for tool in ("node", "chromium", "chromedriver") if not shutil.which(tool)]
    if missing:
        raise SystemExit(f"make audit needs {', '.join(missing)}: see README, 'Measured'")
    if not (NODE_MODULES / "lighthouse").is_dir() or not (NODE_MODULES / "axe-core").is_dir():
        raise SystemExit("make audit needs the pinned npm packages: run `npm ci` first")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--accept", action="store_true", help="store today's screenshots as the accepted ones"
    )
    parser.add_argument("--no-lighthouse", action="store_true", help="axe and screenshots only")
    args = parser.parse_args()
    check_tools()
    started = time.monotonic()
    port = free_port()
    env = audit_environment(port)
    pages = prepare(env)
    base_url = f"http://127.0.0.1:{port}"
    gunicorn = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "audit.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    failures = []
    try:
        wait_for(port)
        for name, url in pages.items():
            expected = 404 if name == "404" else 200
            if (status := status_of(base_url + url)) != expected:
                failures.append(f"{name}: {url} answered {status}, not {expected}")
        shots_dir = ARTIFACTS / "screenshots"
        shutil.rmtree(shots_dir, ignore_errors=True)
        checked = browser.check_pages(base_url, pages, shots_dir)
        checked |= browser.check_desk_forms(base_url, desk_forms(pages), shots_dir, *DESK_USER)
        lighthouse = {} if args.no_lighthouse else run_lighthouse(base_url, pages, env)
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)

    print(table(checked, lighthouse))
    for name, result in lighthouse.items():
        low = {c: s for c, s in result["scores"].items() if s < LIGHTHOUSE_BUDGET}
        if low:
            failures.append(f"Lighthouse {name}: {low} under {LIGHTHOUSE_BUDGET}")
            failures += [f"  {name}: {audit}" for audit in result["failing"]]
    for name, result in checked.items():
        failures += [f"axe {name}: {violation}" for violation in result.violations]
        failures += [f"console {name}: {error}" for error in result.console]
    screenshots = [shot for result in checked.values() for shot in result.screenshots]
    if args.accept:
        written = visual.accept(screenshots)
        print(f"\nAccepted {len(written)} screenshots into {visual.ACCEPTED_DIR}")
    else:
        for difference in visual.compare(screenshots, ARTIFACTS / "screenshot-diffs"):
            failures.append(f"screenshot {difference.name}: {difference.message}")
    print(f"\nScreenshots: {ARTIFACTS / 'screenshots'}; Lighthouse reports: {ARTIFACTS}/lighthouse")
    print(f"Audit took {time.monotonic() - started:.0f} s")
    if failures:
        print("\nBudgets missed:", *failures, sep="\n  ")
        raise SystemExit(1)
    print("All budgets met.")


if __name__ == "__main__":
    main()
