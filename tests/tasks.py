"""Running the task queue inside a test, as `manage.py db_worker --batch` runs it on a server."""

import io
import signal
from unittest import mock

from django.core.management import call_command


def run_worker(*, queue_name: str | None = None) -> None:
    """Run every task that is due (on one queue, or the default one), then stop.

    The worker drops a connection it finds inside a transaction, as each test's is; like Django's
    test client, the test keeps it. The worker also installs its own SIGINT/SIGTERM handlers: the
    test run gets its own back.
    """
    queue = ["--queue-name", queue_name] if queue_name else []
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command(
                "db_worker",
                "--batch",
                *queue,
                "--no-startup-delay",
                "--no-reload",
                stdout=io.StringIO(),
            )
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
