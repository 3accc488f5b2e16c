"""Media on S3-compatible storage, against moto's S3 server started on a loopback port.

The desk uploads a photo, its renditions land in the bucket, the story page points at the
bucket and each address answers; deleting the photo empties the bucket, and an object that
vanished gives the placeholder. The settings block is run afresh with the environment a server
would start with.
"""

import json
import os
import re
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.templatetags.static import static
from django.urls import reverse

from articles.models import Photo
from articles.renditions import PLACEHOLDER
from newsroom.storage import check_media_urls
from tests.factories import ArticleFactory, RegionFactory
from tests.test_photo_form import form_data, upload

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).parent.parent
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "newsroom-test", "AWS_SECRET_ACCESS_KEY": "newsroom-test"}
REGION = "eu-central-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 server on a free loopback port, for this module; its endpoint URL."""
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **CREDENTIALS},
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"moto's server did not start: {server.stderr.read().decode()}")
            time.sleep(0.05)
    yield endpoint
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def bucket(s3_server, settings):
    """A fresh bucket, and the media storage settings MEDIA_STORAGE=s3 gives, pointing at it."""
    name = f"newsroom-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_server, region_name=REGION, **_lower(CREDENTIALS))
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    # As the README's deployment asks: readers fetch photos without credentials.
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read_policy(name)))
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage"},
    }
    settings.AWS_STORAGE_BUCKET_NAME = name
    settings.AWS_S3_ENDPOINT_URL = s3_server
    settings.AWS_S3_REGION_NAME = REGION
    settings.AWS_S3_ADDRESSING_STYLE = "path"
    settings.AWS_QUERYSTRING_AUTH = False
    settings.AWS_DEFAULT_ACL = None
    settings.AWS_S3_FILE_OVERWRITE = False
    settings.AWS_ACCESS_KEY_ID = CREDENTIALS["AWS_ACCESS_KEY_ID"]
    settings.AWS_SECRET_ACCESS_KEY = CREDENTIALS["AWS_SECRET_ACCESS_KEY"]
    settings.AWS_S3_CLIENT_CONFIG = Config(
        s3={"addressing_style": "path"},
        connect_timeout=2,
        read_timeout=5,
        retries={"mode": "standard", "max_attempts": 2},
    )
    settings.MEDIA_URL = f"{s3_server}/{name}/"
    yield Bucket(client, name, settings.MEDIA_URL)


def public_read_policy(bucket_name: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket_name}/*",
            }
        ],
    }


def _lower(credentials: dict[str, str]) -> dict[str, str]:
    return {key.lower(): value for key, value in credentials.items()}


class Bucket:
    def __init__(self, client, name: str, url: str):
        self.client, self.name, self.url = client, name, url

    def keys(self) -> set[str]:
        listed = self.client.list_objects_v2(Bucket=self.name)
        return {item["Key"] for item in listed.get("Contents", [])}

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.name, Key=key)


def image_urls(page: str) -> set[str]:
    """Every address in the page's src and srcset attributes."""
    urls = set(re.findall(r'\ssrc="([^"]+)"', page))
    for srcset in re.findall(r'\ssrcset="([^"]+)"', page):
        urls.update(candidate.split()[0] for candidate in srcset.split(", "))
    return urls


def uploaded_photo(admin_client, django_capture_on_commit_callbacks) -> Photo:
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:articles_photo_add"), form_data(image=upload(900, 600))
        )
    assert response.status_code == 302
    return Photo.objects.get()


def uploaded_story(admin_client, django_capture_on_commit_callbacks):
    photo = uploaded_photo(admin_client, django_capture_on_commit_callbacks)
    return ArticleFactory(region=RegionFactory(slug="kaliningrad"), main_photo=photo)


def test_a_photo_uploaded_at_the_desk_is_stored_and_served_from_the_bucket(
    admin_client, client, bucket, django_capture_on_commit_callbacks
):
    story = uploaded_story(admin_client, django_capture_on_commit_callbacks)
    photo = story.main_photo

    stored = {photo.image.name, *photo.renditions.values_list("file", flat=True)}
    assert len(stored) > 10
    assert bucket.keys() == stored

    page = client.get(story.get_absolute_url()).content.decode()
    media = {url for url in image_urls(page) if url.startswith(bucket.url)}
    assert len(media) == 4  # the lead at 480 and 800 px, each as JPEG and WebP
    assert all("?" not in url for url in media)  # public addresses, no expiring signature
    for url in media:
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - the test's server
            assert answer.status == 200
            assert answer.headers["Content-Type"] in ("image/jpeg", "image/webp")
            assert answer.read(3) in (b"\xff\xd8\xff", b"RIF")


def test_deleting_the_photo_empties_the_bucket(
    admin_client, bucket, django_capture_on_commit_callbacks
):
    photo = uploaded_photo(admin_client, django_capture_on_commit_callbacks)
    assert bucket.keys()

    with django_capture_on_commit_callbacks(execute=True):
        photo.delete()

    assert bucket.keys() == set()


def test_an_object_that_vanished_from_the_bucket_gives_the_placeholder(
    admin_client, client, bucket, django_capture_on_commit_callbacks
):
    story = uploaded_story(admin_client, django_capture_on_commit_callbacks)
    bucket.delete(story.main_photo.image.name)
    cache.clear()  # nothing asked the storage yet in production's order: a cold cache

    page = client.get(story.get_absolute_url()).content.decode()

    assert not any(url.startswith(bucket.url) for url in image_urls(page))
    assert static(PLACEHOLDER) in page


def test_an_unreachable_bucket_leaves_the_story_page_whole(
    admin_client, client, bucket, settings, django_capture_on_commit_callbacks
):
    story = uploaded_story(admin_client, django_capture_on_commit_callbacks)
    cache.clear()
    settings.AWS_S3_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings.STORAGES = {**settings.STORAGES}  # a new client, for the dead endpoint

    started = time.monotonic()
    response = client.get(story.get_absolute_url())

    assert response.status_code == 200
    assert "<picture>" in response.content.decode()  # the page cannot tell: it keeps the photo
    assert time.monotonic() - started < 5


S3_ENV = {
    "MEDIA_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": "photos",
    "AWS_S3_ENDPOINT_URL": "https://storage.example.net",
    "AWS_S3_REGION_NAME": REGION,
    "AWS_S3_ADDRESSING_STYLE": "path",
}


def production_settings(monkeypatch, **env: str) -> dict:
    """newsroom/settings.py run afresh with S3_ENV and `env`, as a server starting would."""
    for key in list(os.environ):
        if key.startswith(("AWS_", "MEDIA_")):
            monkeypatch.delenv(key)
    for key, value in {"DEBUG": "1", **S3_ENV, **env}.items():
        monkeypatch.setenv(key, value)
    return runpy.run_path(str(ROOT / "newsroom" / "settings.py"))


def use_media_settings(settings, production: dict) -> None:
    """Make the test's settings the media storage part of `production`."""
    for name, value in production.items():
        if name.startswith("AWS_") or name in ("MEDIA_URL", "STORAGES"):
            setattr(settings, name, value)


@pytest.mark.parametrize(
    ("env", "origin"),
    [
        ({}, "https://storage.example.net"),
        ({"AWS_S3_ADDRESSING_STYLE": "virtual"}, "https://photos.storage.example.net"),
        ({"AWS_S3_CUSTOM_DOMAIN": "img.news.example"}, "https://img.news.example"),
    ],
    ids=["endpoint", "bucket-subdomain", "custom-domain"],
)
def test_the_s3_settings_serve_unsigned_urls_the_csp_allows(settings, monkeypatch, env, origin):
    production = production_settings(monkeypatch, **env)
    use_media_settings(settings, production)

    photo_url = default_storage.url("photos/a.jpg")

    assert photo_url.startswith(production["MEDIA_URL"]) and photo_url.startswith(origin + "/")
    assert "?" not in photo_url
    assert origin in production["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]
    assert check_media_urls() == []


def test_a_media_url_the_storage_does_not_serve_fails_the_start_up_check(settings, monkeypatch):
    use_media_settings(settings, production_settings(monkeypatch, MEDIA_URL="https://cdn.example/"))

    assert [error.id for error in check_media_urls()] == ["newsroom.E101"]


def test_signed_photo_urls_fail_the_start_up_check(settings, monkeypatch):
    use_media_settings(settings, production_settings(monkeypatch))
    settings.AWS_QUERYSTRING_AUTH = True
    settings.AWS_ACCESS_KEY_ID = CREDENTIALS["AWS_ACCESS_KEY_ID"]  # a signature needs a key
    settings.AWS_SECRET_ACCESS_KEY = CREDENTIALS["AWS_SECRET_ACCESS_KEY"]

    assert [error.id for error in check_media_urls()] == ["newsroom.E102"]


def test_manage_py_check_runs_the_media_check_at_start_up():
    environment = {
        key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"
    }
    environment |= {"DEBUG": "1", **S3_ENV, "MEDIA_URL": "https://cdn.example/"}
    finished = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert finished.returncode != 0
    assert "newsroom.E101" in finished.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"AWS_STORAGE_BUCKET_NAME": ""}, "needs AWS_STORAGE_BUCKET_NAME"),
        ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE must be local or s3"),
        ({"AWS_S3_ENDPOINT_URL": "storage.example.net"}, "must be an http(s) URL"),
        ({"AWS_S3_ADDRESSING_STYLE": "dns"}, "must be auto, path or virtual"),
    ],
)
def test_a_wrong_media_storage_setting_stops_the_start(monkeypatch, env, message):
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        production_settings(monkeypatch, **env)
