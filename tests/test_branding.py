"""The publication's brand per installation: SITE_NAME, SITE_LOGO and SITE_ACCENT."""

import re
import runpy

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

import newsroom.settings as base_settings
from newsroom.branding import DARK_PAPER, accent_colours, brand_style, contrast
from tests.factories import RegionFactory

HEAD_STYLE = re.compile(r"<style>:root\{--brand:(#[0-9a-f]{6});--brand-on-dark:(#[0-9a-f]{6})\}")


def settings_from(monkeypatch, **environment) -> dict:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(base_settings.__file__)


class TestSettings:
    def test_defaults_are_the_demo_brand(self, monkeypatch):
        for name in ("SITE_NAME", "SITE_LOGO", "SITE_ACCENT"):
            monkeypatch.delenv(name, raising=False)
        loaded = settings_from(monkeypatch)
        assert loaded["SITE_NAME"] == "Newsroom"
        assert loaded["SITE_LOGO"] == "img/mark.svg"
        assert loaded["SITE_ACCENT"] == "#0b4f8a"

    def test_an_installation_names_its_own_mark_and_colour(self, monkeypatch):
        loaded = settings_from(
            monkeypatch,
            SITE_NAME=" Балтийские новости ",
            SITE_LOGO="img/favicon.svg",
            SITE_ACCENT="#8A1C1C",
        )
        assert loaded["SITE_NAME"] == "Балтийские новости"
        assert loaded["SITE_LOGO"] == "img/favicon.svg"
        assert loaded["SITE_ACCENT"] == "#8a1c1c"

    @pytest.mark.parametrize(
        "value",
        ["red", "#fff", "#12345g", "0b4f8a", "#0b4f8a;}body{display:none", "rgb(0,0,0)", "#" * 7],
    )
    def test_an_accent_that_is_not_a_hex_colour_stops_start_up(self, monkeypatch, value):
        with pytest.raises(ImproperlyConfigured, match="SITE_ACCENT"):
            settings_from(monkeypatch, SITE_ACCENT=value)

    @pytest.mark.parametrize("value", ["#ffcc00", "#ffffff", "#7fb1e3", "#949494"])
    def test_an_accent_too_light_to_read_on_white_stops_start_up(self, monkeypatch, value):
        with pytest.raises(ImproperlyConfigured, match="contrast"):
            settings_from(monkeypatch, SITE_ACCENT=value)

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("/etc/passwd.svg", "inside the static files"),
            ("../newsroom/settings.py", "inside the static files"),
            ("img/../../db.svg", "inside the static files"),
            ("img\\mark.svg", "inside the static files"),
            ("css/site.css", "must be one of"),
            ("img/mark.gif", "must be one of"),
            ("img/no-such-mark.svg", "no such file"),
        ],
    )
    def test_a_logo_outside_the_static_files_or_missing_stops_start_up(
        self, monkeypatch, value, message
    ):
        with pytest.raises(ImproperlyConfigured, match=message):
            settings_from(monkeypatch, SITE_LOGO=value)


@pytest.mark.parametrize("accent", ["#0b4f8a", "#000000", "#8a1c1c", "#1d5c2e", "#595959"])
def test_the_dark_scheme_gets_a_shade_of_the_accent_readable_on_its_paper(accent):
    light, dark = accent_colours(accent)
    assert contrast(light, "#ffffff") >= 4.5
    assert contrast(dark, DARK_PAPER) >= 4.5


@pytest.mark.django_db
def test_every_page_carries_the_installation_brand(client, settings):
    cache.clear()
    settings.SITE_NAME = "Балтийские новости"
    settings.SITE_LOGO = "img/favicon.svg"
    settings.SITE_ACCENT, settings.SITE_ACCENT_DARK = accent_colours("#8a1c1c")
    settings.SITE_BRAND_STYLE = brand_style(settings.SITE_ACCENT, settings.SITE_ACCENT_DARK)
    region = RegionFactory(slug="kaliningrad")
    for url in ("/", region.get_absolute_url(), "/search/", "/net-takoy/"):
        page = client.get(url).content.decode()
        assert HEAD_STYLE.search(page).groups() == (settings.SITE_ACCENT, settings.SITE_ACCENT_DARK)
        assert '<span class="brand-name">Балтийские новости</span>' in page, url
        assert re.search(r'<img class="brand-mark" src="[^"]*img/favicon\.svg" width="40"', page)
