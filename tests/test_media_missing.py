"""A photo whose file vanished from storage: placeholders on pages, a form that still saves."""

import json
import re

import pytest
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, default_storage
from django.templatetags.static import static
from django.urls import reverse

from articles.models import Photo
from articles.renditions import PLACEHOLDER, build_renditions
from tests.factories import ArticleFactory, AuthorFactory, PhotoFactory, RegionFactory
from tests.test_feeds import parse
from tests.test_photo_form import form_data, upload

pytestmark = pytest.mark.django_db

MISSING = "Файл этой фотографии пропал из хранилища"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def story():
    photo = PhotoFactory()
    build_renditions(photo)
    author = AuthorFactory(slug="sokolova", photo=photo)
    return ArticleFactory(
        region=RegionFactory(slug="kaliningrad"), main_photo=photo, authors=[author]
    )


@pytest.fixture
def exists_calls(monkeypatch):
    """Every name the media storage is asked about, the real answer still given."""
    asked = []
    real_exists = FileSystemStorage.exists

    def exists(storage, name):
        asked.append(name)
        return real_exists(storage, name)

    monkeypatch.setattr(FileSystemStorage, "exists", exists)
    return asked


def vanish(photo: Photo, *, with_renditions: bool) -> None:
    default_storage.delete(photo.image.name)
    if with_renditions:
        for rendition in photo.renditions.all():
            default_storage.delete(rendition.file.name)


def media_images(page: str) -> list[str]:
    """Addresses of stored files that an <img>, <source> or meta tag of the page points at."""
    return re.findall(r"/media/[^\s\"',]+", page)


def pages_of(story) -> dict[str, str]:
    return {
        "story": story.get_absolute_url(),
        "front": "/",
        "region": reverse("articles:region_detail", args=[story.region.slug]),
        "author": reverse("articles:author_detail", args=["sokolova"]),
    }


def test_pages_show_the_photo_while_its_file_is_there(client, story):
    for url in pages_of(story).values():
        assert media_images(client.get(url).content.decode()), url


@pytest.mark.parametrize("with_renditions", [False, True], ids=["file", "file-and-renditions"])
def test_every_page_shows_the_placeholder_for_a_photo_whose_file_vanished(
    client, story, with_renditions
):
    vanish(story.main_photo, with_renditions=with_renditions)

    for name, url in pages_of(story).items():
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200, name
        assert media_images(page) == [], name
        assert static(PLACEHOLDER) in page, name


def test_the_story_page_offers_no_open_graph_or_json_ld_image_of_a_vanished_photo(client, story):
    vanish(story.main_photo, with_renditions=False)

    page = client.get(story.get_absolute_url()).content.decode()

    assert 'property="og:image' not in page and 'name="twitter:image"' not in page
    (data,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert "image" not in json.loads(data)


def test_the_feed_leaves_out_the_enclosure_of_a_vanished_photo(client, story):
    (entry,) = parse(client.get("/feeds/rss/")).entries
    assert entry.enclosures
    vanish(story.main_photo, with_renditions=False)
    cache.clear()  # what the storage said is kept FILE_PRESENCE_SECONDS: as if they had passed

    (entry,) = parse(client.get("/feeds/rss/")).entries

    assert entry.enclosures == []


def test_hot_pages_ask_the_storage_about_a_photo_once_not_per_request(client, story, exists_calls):
    url = story.get_absolute_url()
    client.get(url)
    assert exists_calls == [story.main_photo.image.name]

    for page in pages_of(story).values():
        client.get(page)

    assert exists_calls == [story.main_photo.image.name]


def test_a_photo_whose_file_vanished_can_be_edited_and_asks_for_a_new_file(admin_client, story):
    photo = story.main_photo
    vanish(photo, with_renditions=True)
    change = reverse("admin:articles_photo_change", args=[photo.pk])

    form = admin_client.get(change)
    assert form.status_code == 200
    assert MISSING in form.content.decode()
    assert static(PLACEHOLDER) in form.content.decode()

    data = {
        "alt_text": photo.alt_text,
        "caption": "Подпись исправлена",
        "credit": "Иван Петров",
        "source_url": "",
        "focal_x": "",
        "focal_y": "",
    }
    response = admin_client.post(change, data, follow=True)

    assert response.status_code == 200
    assert MISSING in response.content.decode()
    photo.refresh_from_db()
    assert (photo.caption, photo.credit) == ("Подпись исправлена", "Иван Петров")


def test_a_new_file_for_a_vanished_photo_brings_it_back_on_the_pages(
    admin_client, client, story, django_capture_on_commit_callbacks
):
    photo = story.main_photo
    vanish(photo, with_renditions=True)
    assert media_images(client.get(story.get_absolute_url()).content.decode()) == []

    change = reverse("admin:articles_photo_change", args=[photo.pk])
    # The save's purges run once it commits, as they do after a request.
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(change, form_data(image=upload(640, 480)))

    assert response.status_code == 302
    assert media_images(client.get(story.get_absolute_url()).content.decode())
