import pytest

from tests.htmlcheck import html_checker  # noqa: F401 - one Nu HTML Checker per session


@pytest.fixture(autouse=True)
def _russian_site(settings):
    """Every test sees the site as readers do: Russian, on the newsroom's clock."""
    settings.LANGUAGE_CODE = "ru"
