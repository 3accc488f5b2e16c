"""Local media storage that never leaves half a file behind, and the start-up check of media URLs.

Django's FileSystemStorage writes straight into the final name, so a write that fails half way (a
full disk, a quota) leaves a partial or 0-byte file that pages and the rendition builder then
take for a photo. Here the bytes go to a hidden temporary file beside the target, which is
linked in under the final name only once it is whole and deleted whatever happens.
"""

import os
import tempfile

from django.conf import settings
from django.core import checks
from django.core.files.storage import FileSystemStorage, default_storage

PARTIAL_PREFIX = ".partial-"


class MediaFileSystemStorage(FileSystemStorage):
    """FileSystemStorage whose `save` either stores the whole file or raises and stores nothing."""

    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        self._make_directory(directory)
        descriptor, temporary_path = tempfile.mkstemp(dir=directory, prefix=PARTIAL_PREFIX)
        try:
            with os.fdopen(descriptor, "wb") as temporary:
                for chunk in content.chunks():
                    temporary.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                # A full disk may only show when the buffered tail is written: inside the `try`.
                # Synced before it gets its name, so a crash cannot leave an empty file there.
                temporary.flush()
                os.fsync(temporary.fileno())
            while True:
                try:
                    # A hard link never replaces an existing file, unlike a rename: a name taken
                    # meanwhile (two builders of one rendition) gets the next free one instead.
                    os.link(temporary_path, full_path)
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        finally:
            os.unlink(temporary_path)
        if self.file_permissions_mode is not None:
            os.chmod(full_path, self.file_permissions_mode)
        return str(name).replace("\\", "/")

    def _make_directory(self, directory: str) -> None:
        # As FileSystemStorage does: the configured mode applies to every folder it creates.
        if self.directory_permissions_mode is None:
            os.makedirs(directory, exist_ok=True)
            return
        old_umask = os.umask(0o777 & ~self.directory_permissions_mode)
        try:
            os.makedirs(directory, self.directory_permissions_mode, exist_ok=True)
        finally:
            os.umask(old_umask)


def check_media_urls(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """At start-up: the storage's photo addresses are public, unsigned and under MEDIA_URL.

    The CSP allows images from MEDIA_URL's origin only, and pages and caches keep photo URLs for
    long: a bucket answering on another host, or signed URLs that expire, would break photos.
    """
    probe = default_storage.url("photos/probe.jpg")
    if not probe.startswith(settings.MEDIA_URL):
        return [
            checks.Error(
                f"The media storage serves files at {probe!r}, outside MEDIA_URL "
                f"{settings.MEDIA_URL!r}, so the CSP would block them.",
                hint="Set MEDIA_URL to the bucket's public address (or AWS_S3_ADDRESSING_STYLE).",
                id="newsroom.E101",
            )
        ]
    if "?" in probe:
        return [
            checks.Error(
                f"The media storage signs its URLs ({probe!r}): they expire in cached pages.",
                hint="Photos are public: turn querystring authentication off.",
                id="newsroom.E102",
            )
        ]
    return []
