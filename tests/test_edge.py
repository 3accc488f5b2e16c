"""The reference edge, deploy/varnish/newsroom.vcl, started in front of the test server.

Needs varnishd and the xkey module (`apt-get install varnish varnish-modules`); without them the
tests are skipped, and with NEWSROOM_REQUIRE_EDGE=1 (as CI sets it) they fail instead.
"""

import http.client
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from articles.publishing import workflow
from articles.publishing.corrections import add_correction
from newsroom.dbrouters import RECENT_WRITE_COOKIE
from tests.factories import ArticleFactory
from tests.programs import stop
from tests.tasks import run_worker

DEPLOY = Path(__file__).resolve().parent.parent / "deploy" / "varnish"

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Edge:
    def __init__(self, port: int):
        self.port = port

    def get(self, path: str, headers: dict | None = None, source: str | None = None):
        """One request; the answer with its body read."""
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=10, source_address=(source, 0) if source else None
        )
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.body = response.read().decode()
        connection.close()
        return response

    def purge(self, keys: str, source: str):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=10, source_address=(source, 0)
        )
        connection.request("PURGE", "/", headers={"xkey-purge": keys})
        response = connection.getresponse()
        response.read()
        connection.close()
        return response


@pytest.fixture
def edge(live_server, settings):
    if (
        shutil.which("varnishd") is None
        or not Path("/usr/lib/x86_64-linux-gnu/varnish/vmods/libvmod_xkey.so").exists()
        and not list(Path("/usr/lib").glob("**/libvmod_xkey.so"))
    ):
        if os.environ.get("NEWSROOM_REQUIRE_EDGE") == "1":
            pytest.fail("NEWSROOM_REQUIRE_EDGE=1 but varnishd with the xkey module is missing")
        pytest.skip("varnishd with xkey is not installed (apt-get install varnish varnish-modules)")
    # Readable by Varnish's unprivileged user: pytest's own tmp_path is its owner's alone.
    tmp_path = Path(tempfile.mkdtemp(prefix="newsroom-edge-"))
    tmp_path.chmod(0o755)
    backend = urlsplit(live_server.url)
    # deploy/'s VCL as it is, beside the installation's part pointed at the test server (Varnish
    # looks for an include next to the file that includes it first).
    shutil.copy(DEPLOY / "newsroom.vcl", tmp_path / "newsroom.vcl")
    (tmp_path / "site.vcl").write_text(
        f"""
backend app {{
    .host = "127.0.0.1";
    .port = "{backend.port}";
    .probe = {{ .url = "/robots.txt"; .interval = 1s; .window = 3; .threshold = 2; .initial = 2; }}
}}
acl purgers {{ "127.0.0.1"; }}
"""
    )
    port = free_port()
    varnishd = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        [
            shutil.which("varnishd"),
            "-F",
            "-n",
            str(tmp_path / "work"),
            "-a",
            f"127.0.0.1:{port}",
            "-f",
            str(tmp_path / "newsroom.vcl"),
            "-p",
            f"vcl_path={tmp_path}",
            "-s",
            "malloc,32m",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    edge = Edge(port)
    try:
        deadline = time.monotonic() + 20
        last = None
        while True:
            try:
                answer = edge.get("/robots.txt")
                last = (answer.status, answer.getheaders(), answer.body[:300])
                if answer.status == 200:
                    break
            except OSError as error:
                last = error
            if time.monotonic() > deadline or varnishd.poll() is not None:
                varnishd.kill()
                output = varnishd.communicate()[0].decode(errors="replace")
                pytest.fail(f"varnishd did not start ({last}):\n{output}")
            time.sleep(0.1)
        settings.PAGE_CACHE_ENABLED = True
        settings.PUBLIC_CACHE_SECONDS = 300
        settings.EDGE_PURGE_URLS = [f"http://127.0.0.1:{port}/"]
        settings.EDGE_PURGE_TIMEOUT = 2
        yield edge
    finally:
        stop(varnishd)
        shutil.rmtree(tmp_path, ignore_errors=True)


def run_purge_worker():
    """The queued purges, as their worker runs them, then stop."""
    run_worker(queue_name="purges")


def test_a_story_page_is_kept_by_the_edge_and_an_edit_is_fresh_once_the_purge_runs(
    edge, admin_user
):
    article = ArticleFactory(headline="Пожар на складе")
    run_purge_worker()  # what creating the story queued
    url = article.get_absolute_url()

    first = edge.get(url)
    assert first.status == 200 and first.getheader("X-Cache") == "MISS"
    second = edge.get(url)
    assert second.getheader("X-Cache") == "HIT"
    assert second.body == first.body
    # The keys and the edge's own bookkeeping stay at the edge.
    assert second.getheader("xkey") is None and second.getheader("Surrogate-Key") is None
    assert second.getheader("Cache-Control").startswith("max-age=0, s-maxage=")

    add_correction(article=article, user=admin_user, text="Уточнено число пострадавших.")
    # Committed; the edge learns of it from the purge queue, not from the editor's request.
    assert edge.get(url).getheader("X-Cache") == "HIT"
    run_purge_worker()
    fresh = edge.get(url)
    assert fresh.getheader("X-Cache") == "MISS"
    assert "Уточнено число пострадавших." in fresh.body

    workflow.unpublish(article=article, user=admin_user)
    run_purge_worker()
    assert edge.get(url).status == 404
    assert edge.get("/").body.count("Пожар на складе") == 0


def test_the_desk_and_signed_in_readers_go_past_the_edge(edge, admin_user, client):
    article = ArticleFactory()
    for _ in range(2):
        login = edge.get(reverse("admin:login"))
        assert login.getheader("X-Cache") == "PASS"
        assert login.getheader("Cache-Control") == "private, no-store"

    client.force_login(admin_user)
    session = f"sessionid={client.cookies['sessionid'].value}"
    for _ in range(2):
        signed_in = edge.get(article.get_absolute_url(), {"Cookie": session})
        assert signed_in.getheader("X-Cache") == "PASS"
        assert signed_in.getheader("Cache-Control") == "private, no-store"

    # A reader's other cookies are nothing to the page: one copy for all.
    edge.get(article.get_absolute_url())
    cookies = {"Cookie": "csrftoken=abc; _ym_uid=17000001"}
    assert edge.get(article.get_absolute_url(), cookies).getheader("X-Cache") == "HIT"


def test_a_client_that_just_wrote_goes_past_the_edge(edge):
    # The app keeps it on the primary database for a while (newsroom/dbrouters.py); the edge must
    # not answer it with a copy made before its change.
    article = ArticleFactory()
    edge.get(article.get_absolute_url())
    assert edge.get(article.get_absolute_url()).getheader("X-Cache") == "HIT"
    wrote = {"Cookie": f"csrftoken=abc; {RECENT_WRITE_COOKIE}=1:signed"}
    assert edge.get(article.get_absolute_url(), wrote).getheader("X-Cache") == "PASS"


def test_campaign_tags_share_the_pages_copy(edge):
    article = ArticleFactory()
    edge.get(article.get_absolute_url())
    tagged = edge.get(article.get_absolute_url() + "?utm_source=telegram&utm_medium=social")
    assert tagged.getheader("X-Cache") == "HIT"


def test_only_the_app_may_purge(edge):
    article = ArticleFactory()
    run_purge_worker()
    edge.get(article.get_absolute_url())
    # Any loopback address reaches the edge; only 127.0.0.1 is in the test's purgers ACL.
    assert edge.purge(f"story-{article.pk}", source="127.0.0.2").status == 403
    assert edge.get(article.get_absolute_url()).getheader("X-Cache") == "HIT"
    assert edge.purge(f"story-{article.pk}", source="127.0.0.1").status == 200
    assert edge.get(article.get_absolute_url()).getheader("X-Cache") == "MISS"


def test_a_failing_app_is_covered_by_the_copy_within_stale_if_error(edge, settings):
    settings.PUBLIC_CACHE_SECONDS = 1
    settings.PUBLIC_STALE_WHILE_REVALIDATE_SECONDS = 0
    settings.PAGE_CACHE_ENABLED = False  # the app itself must fail, not answer from memory
    article = ArticleFactory(headline="Эвакуация завершена")
    url = article.get_absolute_url()
    assert edge.get(url).status == 200
    time.sleep(1.2)
    with mock.patch("articles.views.story_page_context", side_effect=RuntimeError("db down")):
        stale = edge.get(url)
        assert stale.status == 200 and "Эвакуация завершена" in stale.body
        # Nothing to fall back on: the app's own error page, not the edge's.
        fresh = edge.get(ArticleFactory().get_absolute_url())
        assert fresh.status == 500 and "Varnish" not in fresh.body
    time.sleep(1.2)
    # Healthy again: past its lifetime the copy is fetched anew, not answered stale.
    assert edge.get(url).getheader("X-Cache") == "MISS"
