"""A real HTTP peer for tests of what the app sends out (edge purges, IndexNow pings).

A threaded server on a free loopback port; the test gives the handler that records what arrives
and answers from its script."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(BaseHTTPRequestHandler):
    """A handler that keeps the test's output clean of the server's access log."""

    def answer(self, status: int, **headers: str) -> None:
        """An empty answer with this status and headers."""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass


class Peer:
    """The server, running until `stop()`; `url` is its address with `path`."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], path: str = "/"):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}{path}"
        # A short poll keeps shutdown() from waiting half a second per test.
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
