import pytest
from django.core.cache import cache

from tests.browser import browser, second_browser  # noqa: F401 - Chromium for the desk's tests
from tests.htmlcheck import html_checker  # noqa: F401 - one Nu HTML Checker per session


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: a rolled-back test hands SQLite's ids out again, and
    entries keyed by id (region navigation, rendition sizes, who has a story open) must not leak."""
    cache.clear()


@pytest.fixture(autouse=True)
def _russian_site(settings):
    """Every test sees the site as readers do: Russian, on the newsroom's clock."""
    settings.LANGUAGE_CODE = "ru"
