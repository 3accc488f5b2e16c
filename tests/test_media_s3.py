"""Media on S3-compatible storage, against moto's S3 server started on a loopback port.

The desk uploads a photo, its renditions land in the bucket, the story page points at the
bucket and each address answers; deleting the photo empties the bucket, and an object that
vanished gives the placeholder. The settings block is tried in a subprocess, as a server starts.
"""

import json
import os
import re
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
from django.templatetags.static import static
from django.urls import reverse

from articles.models import Photo
from articles.renditions import PLACEHOLDER
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
        connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 2}
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


def run_settings(code: str, **env: str) -> subprocess.CompletedProcess:
    """Python with production's settings and the given environment, as a server starts."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "MEDIA_", "DJANGO_SETTINGS"))
    }
    environment |= {
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "1",
        **env,
    }
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


S3_ENV = {
    "MEDIA_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": "photos",
    "AWS_S3_ENDPOINT_URL": "https://storage.example.net",
    "AWS_S3_REGION_NAME": REGION,
    "AWS_S3_ADDRESSING_STYLE": "path",
}
SHOW_POLICY = (
    "import django, json; django.setup(); from django.conf import settings; "
    "from django.core.files.storage import default_storage as s; "
    "print(json.dumps([settings.MEDIA_URL, s.url('photos/a.jpg'), "
    "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']]))"
)
CHECK = "import django; django.setup(); from django.core.management import call_command; "


@pytest.mark.parametrize(
    ("env", "origin"),
    [
        ({}, "https://storage.example.net"),
        ({"AWS_S3_ADDRESSING_STYLE": "virtual"}, "https://photos.storage.example.net"),
        ({"AWS_S3_CUSTOM_DOMAIN": "img.news.example"}, "https://img.news.example"),
    ],
    ids=["endpoint", "bucket-subdomain", "custom-domain"],
)
def test_the_s3_settings_serve_unsigned_urls_the_csp_allows(env, origin):
    finished = run_settings(SHOW_POLICY, **(S3_ENV | env))
    assert finished.returncode == 0, finished.stderr
    media_url, photo_url, img_src = json.loads(finished.stdout.splitlines()[-1])

    assert photo_url.startswith(media_url) and photo_url.startswith(origin + "/")
    assert "?" not in photo_url
    assert origin in img_src


def test_the_s3_settings_pass_the_start_up_check():
    finished = run_settings(CHECK + "call_command('check')", **S3_ENV)
    assert finished.returncode == 0, finished.stderr


def test_a_media_url_the_storage_does_not_serve_fails_the_start_up_check():
    finished = run_settings(
        CHECK + "call_command('check')", **S3_ENV, MEDIA_URL="https://cdn.example/"
    )
    assert finished.returncode != 0
    assert "newsroom.E101" in finished.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"AWS_STORAGE_BUCKET_NAME": ""}, "needs AWS_STORAGE_BUCKET_NAME"),
        ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE must be local or s3"),
        ({"AWS_S3_ENDPOINT_URL": "storage.example.net"}, "must be an http(s) URL"),
    ],
)
def test_a_wrong_media_storage_setting_stops_the_start(env, message):
    finished = run_settings("import django; django.setup()", **(S3_ENV | env))
    assert finished.returncode != 0
    assert message in finished.stderr
