import pytest


@pytest.fixture(autouse=True)
def _russian_site(settings):
    """Every test sees the site as readers do: Russian, on the newsroom's clock."""
    settings.LANGUAGE_CODE = "ru"
