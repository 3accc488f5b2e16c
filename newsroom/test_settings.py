"""Test settings: production-shaped, trading security for speed where tests do not need it."""

import os
import tempfile

# The developer's environment: tests set what they need of production themselves.
os.environ.setdefault("DEBUG", "1")

from .settings import *  # noqa: F403

# Hashing passwords with a slow hasher would dominate the suite's run time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Uploads and renditions of a run go to a throwaway folder, never the developer's media/.
MEDIA_ROOT = tempfile.mkdtemp(prefix="newsroom-test-media-")
STORAGES = {
    **STORAGES,  # noqa: F405 - the media storage production has (MEDIA_STORAGE)
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests ask a page twice to count the queries of the second answer: a page-cache hit would make
# none. tests/test_caching.py turns it on where the cache itself is tested.
PAGE_CACHE_ENABLED = False
# WhiteNoise indexes STATIC_ROOT at start-up; tests never run collectstatic: an empty one.
STATIC_ROOT = tempfile.mkdtemp(prefix="newsroom-test-static-")
# A replica in the environment is a mirror of the test database here (settings.py), but over a
# connection of its own, outside the test's transaction: reads stay on the primary unless a test
# routes them (tests/test_replicas.py, with a real second database).
DATABASE_REPLICAS = []
