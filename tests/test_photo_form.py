"""The photo form keeps a chosen photo across a failed validation, and refuses big files early."""

import datetime
import os
import re

import pytest
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from articles import photos
from articles.models import Photo
from tests.factories import PhotoFactory, make_image_bytes

pytestmark = pytest.mark.django_db

ADD = reverse("admin:articles_photo_add")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(width=320, height=200, name="kadr.jpg"):
    return SimpleUploadedFile(name, make_image_bytes(width, height), "image/jpeg")


def form_data(**overrides):
    data = {"alt_text": "Маяк на косе", "caption": "", "credit": "Анна Смирнова", "source_url": ""}
    return data | overrides


def token_in(page: str) -> str:
    match = re.search(r'name="pending_upload" value="([^"]+)"', page)
    assert match, "the form carries no kept upload"
    return match.group(1)


def pending_files(media) -> list[str]:
    folder = media / photos.PENDING_DIRECTORY
    return sorted(os.listdir(folder)) if folder.exists() else []


def test_a_photo_chosen_in_a_form_that_fails_is_kept_shown_and_saved_without_a_new_upload(
    admin_client, media
):
    response = admin_client.post(ADD, form_data(credit="", image=upload(320, 200)))
    assert response.status_code == 200  # the credit is missing
    page = response.content.decode()
    token = token_in(page)
    preview = reverse("admin:articles_photo_pending", args=[token])
    assert f'<img src="{preview}"' in page
    assert len(pending_files(media)) == 1

    shown = admin_client.get(preview)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert "no-store" in shown["Cache-Control"] and "private" in shown["Cache-Control"]
    assert b"".join(shown.streaming_content)[:3] == b"\xff\xd8\xff"

    response = admin_client.post(ADD, form_data(pending_upload=token))
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert (photo.width, photo.height) == (320, 200)
    assert photo.image.name.startswith("photos/") and "pending" not in photo.image.name
    assert pending_files(media) == []  # the kept file is the saved photo now
    assert admin_client.get(preview).status_code == 404


def test_a_new_upload_wins_over_a_kept_one(admin_client, media):
    token = token_in(
        admin_client.post(ADD, form_data(credit="", image=upload(320, 200))).content.decode()
    )
    response = admin_client.post(ADD, form_data(pending_upload=token, image=upload(64, 48)))
    assert response.status_code == 302
    assert (Photo.objects.get().width, Photo.objects.get().height) == (64, 48)


def test_a_form_failing_again_keeps_the_same_upload(admin_client, media):
    token = token_in(admin_client.post(ADD, form_data(credit="", image=upload())).content.decode())
    page = admin_client.post(ADD, form_data(credit="", pending_upload=token)).content.decode()
    assert token_in(page) == token
    assert len(pending_files(media)) == 1


def test_the_change_form_keeps_a_new_photo_too(admin_client, media):
    photo = PhotoFactory()
    url = reverse("admin:articles_photo_change", args=[photo.pk])
    page = admin_client.post(url, form_data(credit="", image=upload(100, 80))).content.decode()
    response = admin_client.post(url, form_data(pending_upload=token_in(page)))
    assert response.status_code == 302
    photo.refresh_from_db()
    assert (photo.width, photo.height) == (100, 80)


def test_an_invalid_photo_is_not_kept(admin_client, media):
    bad = SimpleUploadedFile("kadr.jpg", b"not an image at all", "image/jpeg")
    page = admin_client.post(ADD, form_data(credit="", image=bad)).content.decode()
    assert 'name="pending_upload" value="' not in page
    assert pending_files(media) == []


@pytest.mark.parametrize(
    "token",
    [
        "forged",
        "",
        "x" * 10_000,
        signing.dumps("photos/2024/05/someone-elses.jpg", salt="articles.photos.pending"),
        signing.dumps("photos/pending/../../settings.py", salt="articles.photos.pending"),
        signing.dumps("photos/pending/kadr.jpg", salt="another-salt"),
        signing.dumps(["photos/pending/kadr.jpg"], salt="articles.photos.pending"),
    ],
)
def test_a_forged_or_foreign_token_is_no_photo(admin_client, media, token):
    response = admin_client.post(ADD, form_data(pending_upload=token))
    assert response.status_code == 200
    assert "Обязательное поле." in response.content.decode()
    assert not Photo.objects.exists()
    assert photos.pending_name(token) is None


def test_an_expired_token_is_no_photo(admin_client, media, monkeypatch):
    token = token_in(admin_client.post(ADD, form_data(credit="", image=upload())).content.decode())
    monkeypatch.setattr(photos, "PENDING_MAX_AGE", datetime.timedelta(seconds=-1))
    assert photos.pending_name(token) is None


def test_stale_kept_uploads_are_deleted_and_fresh_ones_stay(media):
    old = photos.pending_name(
        photos.keep_pending(ContentFile(make_image_bytes(), name="photo.jpg"))
    )
    fresh = photos.pending_name(
        photos.keep_pending(ContentFile(make_image_bytes(), name="photo.jpg"))
    )
    past = (
        datetime.datetime.now() - photos.PENDING_MAX_AGE - datetime.timedelta(minutes=1)
    ).timestamp()
    os.utime(default_storage.path(old), (past, past))
    assert photos.purge_stale_pending() == 1
    assert not default_storage.exists(old) and default_storage.exists(fresh)


def test_the_file_input_carries_the_server_s_size_message_for_the_browser(admin_client, settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 3 * 1024 * 1024
    page = admin_client.get(ADD).content.decode()
    assert 'data-max-bytes="3145728"' in page
    server = photos._too_large(1, settings.PHOTO_MAX_UPLOAD_BYTES)
    expected = str(server.message) % {"size": "%(size)s", "limit": filesizeformat(3145728)}
    assert f'data-too-large="{expected}"' in page.replace("&nbsp;", "\xa0")
    assert 'data-decimal-separator=","' in page
