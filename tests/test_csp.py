"""The Content Security Policy (django-csp) on the desk and the public site.

The browser tests (tests/test_browser.py) prove that the desk works under it; these pin what it
says and that it says it on every kind of page.
"""

import re
import runpy

import pytest
from django.urls import reverse

import newsroom.settings as base_settings
from articles.publishing.previews import preview_path
from newsroom.branding import csp_hash
from tests.factories import ArticleFactory, PhotoFactory, RegionFactory

pytestmark = pytest.mark.django_db

REQUIRED = {
    "default-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "connect-src": ["'self'"],
}


def policy(response) -> dict[str, list[str]]:
    """The enforced policy of a response, as {directive: [sources]}."""
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} twice in {header}"
        directives[name] = sources
    return directives


def assert_strict(directives: dict[str, list[str]]) -> None:
    for name, sources in REQUIRED.items():
        assert directives[name] == sources, name
    scripts = directives["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert "'unsafe-inline'" not in directives["style-src"]
    # Nothing from another origin: every source is a keyword, a nonce or a hash, or for images
    # data: and blob: (the photo form previews the chosen file before it is sent).
    for name, sources in directives.items():
        for source in sources:
            local = name == "img-src" and source in ("data:", "blob:")
            assert source.startswith("'") or local, (name, source)


@pytest.fixture
def story():
    return ArticleFactory(region=RegionFactory(slug="kaliningrad"), main_photo=PhotoFactory())


def test_public_pages_send_the_policy_without_a_nonce(client, story):
    """Public pages are kept by the CDN: a nonce in them would be shared by every reader."""
    for url in (
        "/",
        story.region.get_absolute_url(),
        story.get_absolute_url(),
        reverse("articles:search") + "?q=пожар",
        "/no-such-page/",
    ):
        response = client.get(url)
        directives = policy(response)
        assert_strict(directives)
        assert not any("nonce-" in s for s in directives["script-src"]), url
        assert directives["img-src"] == ["'self'", "data:", "blob:"], url


def test_story_page_scripts_are_files_of_ours_or_data_blocks(client, story):
    page = client.get(story.get_absolute_url()).content.decode()
    scripts = re.findall(r"<script([^>]*)>", page)
    # JSON-LD is data the browser does not run, and the share row's copy button is a file of
    # ours: the policy needs no nonce or hash for either, and nothing runs inline.
    assert any('type="application/ld+json"' in attrs for attrs in scripts)
    assert all(
        'type="application/ld+json"' in attrs or re.search(r'src="/static/[^"]+\.js"', attrs)
        for attrs in scripts
    )


def test_feeds_sitemaps_and_static_files_carry_the_policy(client, story):
    for url in (
        "/feeds/rss/",
        "/sitemap.xml",
        "/robots.txt",
        "/favicon.ico",
        "/static/img/favicon.svg",
    ):
        assert_strict(policy(client.get(url)))


def test_preview_page_sends_the_policy(client):
    draft = ArticleFactory(draft=True)
    response = client.get(preview_path(draft))
    assert response.status_code == 200
    assert_strict(policy(response))


def test_the_desk_sends_the_policy_on_every_page(client, admin_client, story):
    assert_strict(policy(client.get(reverse("admin:login"))))
    for url in (
        reverse("admin:index"),
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_photo_add"),
        reverse("admin:password_change"),
        reverse("admin:axes_accessattempt_changelist"),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_strict(policy(response))


def test_the_editors_import_map_runs_by_the_requests_nonce(admin_client, story):
    """The rich-text editor's import map is the one inline script; it carries the nonce the
    header names, a new one on each request."""
    nonces = set()
    for url in (
        reverse("admin:articles_article_add"),
        reverse("admin:articles_article_change", args=[story.pk]),
    ):
        response = admin_client.get(url)
        page = response.content.decode()
        sources = policy(response)["script-src"]
        (nonce_source,) = [s for s in sources if s.startswith("'nonce-")]
        nonce = nonce_source.removeprefix("'nonce-").removesuffix("'")
        assert f'<script type="importmap" nonce="{nonce}">' in page
        inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
        assert inline, "the form has its import map and its JSON data blocks"
        for attrs in inline:
            assert f'nonce="{nonce}"' in attrs or 'type="application/json"' in attrs, attrs
        nonces.add(nonce)
    assert len(nonces) == 2


def test_no_desk_markup_carries_a_style_attribute(admin_client, story):
    """style-src allows no inline styles: the desk's own pages must not need them."""
    for url in (
        reverse("admin:articles_article_change", args=[story.pk]),
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_photo_change", args=[story.main_photo.pk]),
        reverse("admin:articles_photo_changelist"),
    ):
        page = admin_client.get(url).content.decode()
        assert not re.search(r"<[^>]+\sstyle=", page), url


def settings_with(monkeypatch, **environment) -> dict:
    monkeypatch.setenv("DEBUG", "1")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(base_settings.__file__)


def test_photos_on_a_cdn_are_allowed_by_their_origin_for_images_only(monkeypatch):
    settings = settings_with(monkeypatch, MEDIA_URL="https://media.example.net/newsroom/media/")
    directives = settings["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert directives["img-src"][-1] == "https://media.example.net"
    others = [sources for name, sources in directives.items() if name != "img-src"]
    assert not any("https://media.example.net" in sources for sources in others)


def test_local_media_adds_no_origin(monkeypatch):
    settings = settings_with(monkeypatch, MEDIA_URL="/media/")
    assert settings["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"] == [
        "'self'",
        "data:",
        "blob:",
    ]


def test_the_brand_style_is_allowed_by_its_hash_and_nothing_else_inline(client, story):
    response = client.get(story.get_absolute_url())
    style = re.search(r"<style>([^<]*)</style>", response.content.decode()).group(1)
    assert csp_hash(style) in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
