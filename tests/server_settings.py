"""Production settings for an app server a test starts (tests/outages.py): static files are
served from the source folders as they are, since tests never run collectstatic."""

from newsroom.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
