"""Slow clients: deploy/nginx/ in front of gunicorn keeps the site answering while fifty
connections trickle their requests in a byte at a time; gunicorn alone is held by them.

gunicorn runs with two sync workers under production settings (DEBUG off; test settings' storage
and cache, so no collectstatic), against this test's own database: committed (a transactional
test), and on SQLite copied to a file, since the test database lives in memory. nginx runs with a
prefix of its own in a temporary folder. Everything is on loopback, bounded in number and time.

Needs nginx (`apt-get install nginx`); without it the tests are skipped, and with
NEWSROOM_REQUIRE_NGINX=1 (as CI sets it) they fail instead.
"""

import contextlib
import http.client
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from bench.run import bench_environment, free_port, gunicorn
from tests.factories import ArticleFactory
from tests.programs import stop

DEPLOY = Path(__file__).resolve().parent.parent / "deploy" / "nginx"
SLOW_CLIENTS = 50
# Slower than this, a reader would call the site down.
READER_PATIENCE = 3.0

pytestmark = pytest.mark.django_db(transaction=True)


def nginx_program() -> str:
    program = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if program is None:
        if os.environ.get("NEWSROOM_REQUIRE_NGINX") == "1":
            pytest.fail("NEWSROOM_REQUIRE_NGINX=1 but nginx is not installed")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    return program


def database_url(folder: Path) -> str:
    """An address of the test database that another process can open."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        user = quote(db["USER"] or "")
        password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
        host = db["HOST"] or "127.0.0.1"
        return f"postgres://{user}{password}@{host}:{db['PORT'] or 5432}/{quote(db['NAME'])}"
    # SQLite's test database is in this process's memory: the server gets a copy on disk.
    target = folder / "db.sqlite3"
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(target)) as copy:
        connection.connection.backup(copy)
    return f"sqlite:///{target}"


@pytest.fixture
def story():
    return ArticleFactory(headline="Пожар на складе потушен")


@pytest.fixture
def app_port(story, tmp_path):
    """gunicorn with two sync workers, warmed up; its port."""
    port = free_port()
    env = bench_environment(database_url(tmp_path), port) | {
        "DJANGO_SETTINGS_MODULE": "newsroom.test_settings",
        "LOG_LEVEL": "ERROR",
    }
    with gunicorn(env, port, workers=2):
        for _ in range(4):  # both workers booted and past their first request
            assert read(port, "/", timeout=30)[0] == 200
        yield port


@contextlib.contextmanager
def nginx_in_front(app_port: int):
    """deploy/nginx/newsroom.conf as it is, in front of the app, with the installation's two files
    written for this test; yields nginx's port."""
    program = nginx_program()
    folder = Path(tempfile.mkdtemp(prefix="newsroom-nginx-"))
    folder.chmod(0o755)  # nginx's workers run as an unprivileged user when it starts as root
    port = free_port()
    shutil.copy(DEPLOY / "newsroom.conf", folder / "newsroom.conf")
    (folder / "newsroom-upstream.conf").write_text(
        f"upstream newsroom_upstream {{ server 127.0.0.1:{app_port}; keepalive 8; }}\n"
    )
    (folder / "newsroom-listen.conf").write_text(f"listen 127.0.0.1:{port};\n")
    # Relative includes are read next to this file; temporary files go under the prefix.
    (folder / "nginx.conf").write_text(
        f"""
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include newsroom.conf;
}}
"""
    )
    nginx = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        [program, "-p", str(folder), "-c", str(folder / "nginx.conf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if read(port, "/robots.txt", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or nginx.poll() is not None:
                nginx.kill()
                output = nginx.communicate()[0].decode(errors="replace")
                log = folder / "error.log"
                pytest.fail(
                    f"nginx did not start:\n{output}\n{log.read_text() if log.exists() else ''}"
                )
            time.sleep(0.1)
        yield port
    finally:
        stop(nginx)
        shutil.rmtree(folder, ignore_errors=True)


def read(port: int, path: str, timeout: float) -> tuple[int, float]:
    """One reader's GET: the status and the seconds it took."""
    started = time.monotonic()
    reader = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        reader.request("GET", path)
        response = reader.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        reader.close()


class SlowClients:
    """Connections that send a request a byte at a time and never finish it: half of them still
    in their headers, half in a form's body. Stopped (and closed) on leaving."""

    HEADERS = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
    # With a CSRF cookie, so that the app waits to read the form's token rather than refuse it.
    FORM = (
        b"POST /search/ HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: csrftoken=" + b"a" * 32 + b"\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nq="
    )

    def __init__(self, port: int, count: int):
        self.port = port
        self.count = count
        self.sockets: list[socket.socket] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)

    def __enter__(self):
        for n in range(self.count):
            client = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            client.sendall(self.HEADERS if n % 2 == 0 else self.FORM)
            self.sockets.append(client)
        self.thread.start()
        # Long enough for gunicorn's workers to take the first of them, were they to see them.
        time.sleep(1)
        return self

    def _trickle(self):
        while not self.stopped.wait(0.25):
            for client in list(self.sockets):
                try:
                    client.send(b"a")
                except OSError:
                    self.sockets.remove(client)

    def still_open(self) -> int:
        return len(self.sockets)

    def __exit__(self, *exc_info):
        self.stopped.set()
        self.thread.join(timeout=5)
        for client in self.sockets:
            client.close()


def test_readers_are_served_through_nginx_while_fifty_slow_clients_hang_on(app_port, story):
    with nginx_in_front(app_port) as port, SlowClients(port, SLOW_CLIENTS) as slow:
        answers = [
            read(port, path, READER_PATIENCE) for path in ["/", story.get_absolute_url()] * 5
        ]
        assert slow.still_open() == SLOW_CLIENTS  # held by nginx all along, none turned away
    assert [status for status, _ in answers] == [200] * 10
    slowest = max(seconds for _, seconds in answers)
    assert slowest < READER_PATIENCE / 2, answers


def test_gunicorn_alone_is_held_by_the_same_slow_clients(app_port):
    # The contrast that shows the test above can fail: each sync worker waits on a slow client,
    # and a reader queues behind the other forty-eight.
    with SlowClients(app_port, SLOW_CLIENTS), pytest.raises(TimeoutError):
        read(app_port, "/", READER_PATIENCE)


def test_nginx_takes_every_request_the_app_takes_and_the_app_refuses_its_own(app_port):
    limit = re.search(r"client_max_body_size (\d+)m;", (DEPLOY / "newsroom.conf").read_text())
    limit_bytes = int(limit.group(1)) * 1024 * 1024
    # A photo at its largest with the rest of its form at its largest.
    assert limit_bytes > settings.PHOTO_MAX_UPLOAD_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    with nginx_in_front(app_port) as port:
        # Over the app's form limit, under nginx's: the app's own page says why, in Russian.
        form = b"q=" + b"a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1024)
        refused = post(port, form, len(form))
        assert refused.status == 400
        assert "Запрос больше" in refused.read().decode()
        # Over nginx's: refused on the announced length, before a byte reaches the app.
        assert post(port, b"", limit_bytes + 1).status == 413


def post(port: int, body: bytes, length: int) -> http.client.HTTPResponse:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    client.putrequest("POST", "/search/")
    client.putheader("Content-Type", "application/x-www-form-urlencoded")
    client.putheader("Content-Length", str(length))
    # A CSRF cookie, so that the app reads the form (for its token) rather than refuse it unread.
    client.putheader("Cookie", "csrftoken=" + "a" * 32)
    client.endheaders(body)
    return client.getresponse()
