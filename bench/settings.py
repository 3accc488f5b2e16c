"""Production settings plus one trivial view, so the benchmark measures both in the same server."""

from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
