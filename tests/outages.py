"""Broken services for the outage tests: real sockets on this machine, never mocks.

- `closed_port()`: a port nobody listens on (bound, then closed): connections are refused.
- `SilentListener`: accepts connections and never answers, as a hung server does.
- `TcpProxy`: forwards to a real server (PostgreSQL, Redis) until `cut()`, which drops every
  connection and stops listening; `restore()` listens on the same port again.
- `database_proxy`: a fixture putting a TcpProxy between the live server and PostgreSQL.
- `app_server()`: gunicorn with production settings in a subprocess, so the database and cache
  settings apply exactly as they would in production; `get()` times one request to it.
"""

import contextlib
import http.client
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connections

from bench.run import bench_environment, free_port

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def closed_port() -> int:
    """A port that was free a moment ago: nothing listens there, connections are refused."""
    return free_port()


class _Listener:
    """A listening socket on 127.0.0.1 served by a thread, with every accepted connection held."""

    def __init__(self, port: int = 0):
        self.port = port
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()
        self.server = None
        self.listen()

    def listen(self):
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        self.port = server.getsockname()[1]
        self.server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def _accept(self, server):
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return  # closed
            with self.lock:
                self.connections.append(client)
            self.accepted(client)

    def accepted(self, client):
        """Nothing: the connection stays open and silent."""

    def close(self):
        with self.lock:
            # shutdown() first: close() alone leaves a socket that a thread waits in accept() on
            # listening, on Linux.
            with contextlib.suppress(OSError):
                self.server.shutdown(socket.SHUT_RDWR)
            self.server.close()
            for connection in self.connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                connection.close()
            self.connections.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class SilentListener(_Listener):
    """A server that accepts and never says a word."""


class TcpProxy(_Listener):
    """Forwards every connection to (host, port) until cut."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        super().__init__()

    def accepted(self, client):
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        with self.lock:
            self.connections.append(upstream)
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def cut(self):
        """The server is gone: open connections drop, new ones are refused."""
        self.close()

    def restore(self):
        self.listen()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str
    seconds: float


def production_environment(port: int, **overrides: str) -> dict[str, str]:
    """The benchmark's production settings on plain HTTP, with the test's own on top."""
    environment = bench_environment(overrides.pop("DATABASE_URL", ""), port)
    environment.pop("CACHE_URL", None)  # local memory unless the test names a cache
    environment.pop("DATABASE_STATEMENT_TIMEOUT")  # production's, not the benchmark's seeding
    return environment | {"DJANGO_SETTINGS_MODULE": "tests.server_settings", **overrides}


class AppServer:
    def __init__(self, port: int, log: Path):
        self.port = port
        self.log = log

    def get(self, path: str, method: str = "GET", body=None, headers=None) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        seconds = time.monotonic() - started
        return Answer(response.status, dict(response.getheaders()), text, seconds)

    def logged(self) -> str:
        return self.log.read_text(errors="replace")


@contextlib.contextmanager
def app_server(tmp_path: Path, **settings: str):
    """One gunicorn sync worker with these environment settings; yields an AppServer."""
    port = closed_port()
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [str(GUNICORN), "newsroom.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=production_environment(port, **settings),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = AppServer(port, log)
    try:
        _wait_for(server, process)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_for(server: AppServer, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{server.logged()}")
        try:
            if server.get("/healthz").status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{server.logged()}")


@pytest.fixture
def database_proxy(live_server):
    """Every new connection of the live server goes through a proxy to the real server.

    Connections are made from `connections.settings`; the test's own connection keeps its own
    copy of them, so it still reaches the server directly when the proxy is cut."""
    server = connections.settings["default"]
    with TcpProxy(server["HOST"] or "127.0.0.1", int(server["PORT"] or 5432)) as proxy:
        connections.settings["default"] = server | {"HOST": "127.0.0.1", "PORT": str(proxy.port)}
        try:
            yield proxy
        finally:
            connections.settings["default"] = server
