"""Named photo sizes for the public site, and the one function that makes them.

A rendition is made once per photo, size, width and format: after the transaction that saved the
photo commits (the `post_save` receiver below) and by `manage.py build_renditions` for photos
written around `save()`. Pages never make one: the `{% picture %}` tag only reads rows that exist.
"""

import hashlib
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import NamedTuple

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from PIL import Image, ImageOps

from .models import Photo, PhotoRendition
from .photos import ALLOWED_FORMATS, DECODE_ERRORS, STORAGE_ERRORS

logger = logging.getLogger(__name__)

Format = PhotoRendition.Format

WEBP_QUALITY = 80
JPEG_QUALITY = 82
# Transparent areas of a PNG or GIF land on the page's white, not on black, in a JPEG.
JPEG_BACKGROUND = (255, 255, 255)

# What pages show for a photo without renditions, or whose file is gone (a static file).
PLACEHOLDER = "img/photo-placeholder.svg"

# What reading a stored photo may raise when the file is missing, cut short or not an image.
_READ_ERRORS = (*DECODE_ERRORS, Image.DecompressionBombError)


@dataclass(frozen=True)
class RenditionSpec:
    """A named size: the widths to offer browsers, an optional crop ratio, the formats to write."""

    name: str
    widths: tuple[int, ...]
    crop: tuple[int, int] | None = None
    formats: tuple[str, ...] = (Format.WEBP, Format.JPEG)

    def sizes(self, width: int, height: int) -> list[tuple[int, int]]:
        """Rendition sizes for a source this big: never upscaled, and at least one."""
        if width <= 0 or height <= 0:
            return []
        if self.crop is None:
            largest = width
        else:
            largest = max(1, int(min(width, height * self.crop[0] / self.crop[1])))
        widths = [w for w in self.widths if w <= largest] or [largest]
        return [(w, self._height(w, width, height)) for w in widths]

    def _height(self, width: int, source_width: int, source_height: int) -> int:
        if self.crop is None:
            return max(1, min(source_height, round(width * source_height / source_width)))
        return max(1, min(source_height, round(width * self.crop[1] / self.crop[0])))

    def source_key(self, photo: Photo) -> str:
        """A fingerprint of what this size is made from: the file, and for crops the focal point."""
        source = photo.image.name or ""
        if self.crop is not None:
            source += f"\0{_focal(photo.focal_x)},{_focal(photo.focal_y)}"
        return hashlib.blake2b(source.encode(), digest_size=8).hexdigest()


SPECS = {
    spec.name: spec
    for spec in (
        # The admin's list column (80 px, twice that for dense screens); the photo's own shape.
        RenditionSpec("thumb", (80, 160), formats=(Format.JPEG,)),
        # A story card in listings.
        RenditionSpec("card", (320, 480, 800), crop=(3, 2)),
        # The story's lead photo, full column width.
        RenditionSpec("lead", (480, 800, 1200, 1600), crop=(3, 2)),
        # The whole frame, uncropped, for a photo opened on its own.
        RenditionSpec("full", (480, 800, 1200, 1600, 2400)),
        # Open Graph and JSON-LD: 1200×630 is what social networks crop previews to.
        RenditionSpec("og", (1200,), crop=(40, 21), formats=(Format.JPEG,)),
    )
}


class RenditionURL(NamedTuple):
    url: str
    width: int
    height: int


@dataclass(frozen=True)
class BuildResult:
    created: int = 0
    failed: bool = False


def prefetch_renditions(lookup: str, *spec_names: str) -> Prefetch:
    """The renditions a `{% picture %}` tag reads, in the one query per listing a view adds.

    Name the sizes the page shows: a listing of twenty cards then builds a hundred-odd rendition
    objects instead of the five hundred of every size. No names: every size (operator commands).
    Usage: ``.prefetch_related(prefetch_renditions("main_photo__renditions", "card"))``.
    """
    queryset = PhotoRendition.objects.all()
    if spec_names:
        queryset = queryset.filter(spec__in=[SPECS[name].name for name in spec_names])
    return Prefetch(lookup, queryset=queryset)


def current_renditions(photo: Photo, spec_name: str) -> list[PhotoRendition]:
    """The photo's renditions of a size made from its present file and focal point, narrowest first.

    Reads `photo.renditions.all()`: no query when the view used `prefetch_renditions`. Empty
    for a photo whose file is gone from storage (`file_present`): pages show the placeholder.
    """
    if not file_present(photo):
        return []
    spec = SPECS[spec_name]
    key = spec.source_key(photo)
    return sorted(
        (r for r in photo.renditions.all() if r.spec == spec.name and r.source_key == key),
        key=lambda rendition: (rendition.width, rendition.format),
    )


def rendition_url(photo: Photo | None, spec_name: str) -> RenditionURL | None:
    """The widest JPEG of a size (what crawlers all read) for Open Graph and JSON-LD, or None.

    The URL is the storage's, often site-relative: making it absolute is the caller's job.
    """
    widest = widest_jpeg(photo, spec_name)
    if widest is None:
        return None
    return RenditionURL(widest.file.url, widest.width, widest.height)


def widest_jpeg(photo: Photo | None, spec_name: str) -> PhotoRendition | None:
    """The widest JPEG rendition of a size (the one crawlers and feed readers get), or None."""
    if photo is None:
        return None
    jpegs = [r for r in current_renditions(photo, spec_name) if r.format == Format.JPEG]
    if not jpegs:
        logger.warning("Photo %s has no %r rendition yet; none offered", photo.pk, spec_name)
        return None
    return jpegs[-1]


def build_renditions(photo: Photo, *, force: bool = False) -> BuildResult:
    """Make the photo's missing renditions (all of them with `force`) and drop outdated ones.

    A missing or unreadable file is logged and skipped, never raised: a bad photo must not stop
    an editor's save or a bulk build.
    """
    existing = list(photo.renditions.all())
    # Planned from the stored size, so a photo with nothing missing never has its file read.
    wanted = _plan(photo, photo.width, photo.height)
    current, stale = _sort_out(existing, wanted, force=force)
    if wanted and wanted.keys() <= current.keys():
        _delete(stale)
        return BuildResult()
    try:
        source, stored_size = _open_source(photo)
    except _READ_ERRORS as error:
        if isinstance(error, FileNotFoundError) and photo.image:
            remember_file_present(photo, present=False)
        logger.warning(
            "Photo %s: cannot read %r (%s: %s); renditions skipped",
            photo.pk,
            photo.image.name,
            type(error).__name__,
            error,
        )
        return BuildResult(failed=True)
    with source:
        current, stale = _sort_out(existing, _plan(photo, *stored_size), force=force)
        _delete(stale)
        return BuildResult(created=_make_missing(photo, source, stored_size, current))


@dataclass
class StoredFiles:
    """What the desk stored ahead of a photo's save: the renditions' unsaved rows, every name."""

    renditions: list[PhotoRendition]
    names: list[str]


def store_new_file(photo: Photo, upload: ContentFile) -> StoredFiles:
    """Store a photo's new file and all its renditions before the photo's row is saved.

    The desk calls this while validating an upload, so that a storage which cannot take the
    files (a full disk, an unreachable bucket) is a form error and not a photo saved without its
    renditions. Either everything is stored, for `save_stored` once the photo is saved, or
    whatever was stored is deleted and the storage's error raised.
    """
    photo.image.save(upload.name, upload, save=False)
    try:
        upload.seek(0)
        stored = _store_missing_files(photo, *_decode(upload.read()))
    except BaseException:
        photo.image.storage.delete(photo.image.name)
        raise
    stored.names.append(photo.image.name)
    return stored


def store_new_crops(photo: Photo) -> StoredFiles | None:
    """Store the cropped renditions a changed focal point needs, before the photo is saved.

    As `store_new_file`, so a full disk is a form error and the old crops stay until the new
    ones exist. None when the stored file cannot be read: the build after the save logs that.
    """
    try:
        source, stored_size = _open_source(photo)
    except _READ_ERRORS:
        return None
    return _store_missing_files(photo, source, stored_size)


def _store_missing_files(
    photo: Photo, source: Image.Image, stored_size: tuple[int, int]
) -> StoredFiles:
    """The files of every rendition the photo, as it is about to be saved, lacks; all or none."""
    existing = list(PhotoRendition.objects.filter(photo=photo)) if photo.pk else []
    current, _stale = _sort_out(existing, _plan(photo, *stored_size), force=False)
    written: list[PhotoRendition] = []
    try:
        with source:
            for spec, size, image_format, data in _encode_missing(
                photo, source, stored_size, current
            ):
                written.append(_write(photo, spec, size, image_format, data))
    except BaseException:
        for rendition in written:
            rendition.file.storage.delete(rendition.file.name)
        raise
    return StoredFiles(written, [rendition.file.name for rendition in written])


def save_stored(photo: Photo, stored: StoredFiles) -> None:
    """Insert the rows of the renditions stored ahead, now that the photo is saved.

    Outdated renditions of the same size, width and format go first (their files once this
    commits); the build after the save drops any others.
    """
    identities = {_identity(rendition) for rendition in stored.renditions}
    # Not `photo.renditions.all()`: the desk's queryset prefetches only the thumbnails.
    existing = PhotoRendition.objects.filter(photo=photo)
    _delete([r for r in existing if _identity(r) in identities])
    for rendition in stored.renditions:
        rendition.photo = photo
    PhotoRendition.objects.bulk_create(stored.renditions)
    remember_file_present(photo, present=True)


def discard_stored(stored: StoredFiles) -> None:
    """Delete what was stored ahead of a save that failed after it."""
    storage = Photo._meta.get_field("image").storage
    for name in stored.names:
        storage.delete(name)


# Whether a photo's file is still in storage ---------------------------------------------------
#
# A file can vanish under its row (a lost volume, a bucket emptied by hand). Pages then show the
# placeholder rather than renditions of a photo that is gone. Asking the storage on every page
# would be a disk stat or an S3 HEAD per photo per request, so the answer is cached per file name
# (a new upload is a new name) and kept on the instance for the rest of the request.

FILE_PRESENCE_SECONDS = 15 * 60


def file_present(photo: Photo) -> bool:
    """Whether the photo's file is in storage: asked once per FILE_PRESENCE_SECONDS."""
    if not photo.image:
        return False
    present = photo.__dict__.get("_file_present")
    if present is None:
        key = _presence_key(photo)
        present = cache.get(key)
        if present is None:
            present = _ask_storage(photo)
            if present is None:
                # A storage hiccup must not cost the photo: shown, and asked again next request.
                present = True
            else:
                cache.set(key, present, FILE_PRESENCE_SECONDS)
        photo._file_present = present
    return present


def _ask_storage(photo: Photo) -> bool | None:
    """Whether the storage has the file, or None when it cannot say (unreachable, say)."""
    try:
        present = photo.image.storage.exists(photo.image.name)
    except STORAGE_ERRORS as error:
        kind = type(error).__name__
        logger.warning("Photo %s: cannot ask the storage (%s: %s)", photo.pk, kind, error)
        return None
    if not present:
        logger.warning("Photo %s: file %r is missing", photo.pk, photo.image.name)
    return present


def remember_file_present(photo: Photo, *, present: bool) -> None:
    """Record what a build or a save just learned, so pages need not ask the storage."""
    photo._file_present = present
    cache.set(_presence_key(photo), present, FILE_PRESENCE_SECONDS)


def _presence_key(photo: Photo) -> str:
    digest = hashlib.blake2b(photo.image.name.encode(), digest_size=8).hexdigest()
    return f"articles:photo-file:{photo.pk}:{digest}"


@receiver(post_save, sender=Photo, dispatch_uid="articles.renditions.build_after_save")
def build_after_save(sender, instance: Photo, raw: bool = False, **kwargs) -> None:
    """A saved photo gets its renditions once the save commits, so a rollback leaves no files."""
    if raw:
        return  # loaddata: fixtures bring their files, and build_renditions can follow
    pk = instance.pk

    def build() -> None:
        # Read afresh: the row may have changed or gone since, and the instance may carry a
        # prefetched, now outdated list of renditions.
        photo = Photo.objects.filter(pk=pk).first()
        if photo is not None:
            build_renditions(photo)

    transaction.on_commit(build, robust=True)


@receiver(post_delete, sender=PhotoRendition, dispatch_uid="articles.renditions.remove_file")
def remove_file_after_delete(sender, instance: PhotoRendition, **kwargs) -> None:
    """The file goes once the row's delete commits, so a rollback keeps both.

    Outdated renditions end here, and so do a deleted photo's, through the cascade.
    """
    storage, name = instance.file.storage, instance.file.name
    transaction.on_commit(lambda: storage.delete(name), robust=True)


@receiver(post_delete, sender=Photo, dispatch_uid="articles.renditions.remove_photo_file")
def remove_photo_file_after_delete(sender, instance: Photo, **kwargs) -> None:
    """A deleted photo's own file goes too once the delete commits; its renditions go above."""
    if instance.image:
        storage, name = instance.image.storage, instance.image.name
        transaction.on_commit(lambda: storage.delete(name), robust=True)


def _focal(percent: int | None) -> int:
    return 50 if percent is None else percent


def _identity(rendition: PhotoRendition) -> tuple[str, int, str]:
    return rendition.spec, rendition.width, rendition.format


def _sort_out(
    existing: list[PhotoRendition], wanted: dict[tuple[str, int, str], str], *, force: bool
) -> tuple[dict[tuple[str, int, str], PhotoRendition], list[PhotoRendition]]:
    """Split existing renditions into those still right (by identity) and those to delete."""
    current = {
        _identity(r): r for r in existing if not force and wanted.get(_identity(r)) == r.source_key
    }
    return current, [r for r in existing if _identity(r) not in current]


def _plan(photo: Photo, width: int, height: int) -> dict[tuple[str, int, str], str]:
    """Every rendition the photo should have, each with the source key it must be made from."""
    return {
        (spec.name, w, image_format): spec.source_key(photo)
        for spec in SPECS.values()
        for w, _ in spec.sizes(width, height)
        for image_format in spec.formats
    }


def _make_missing(
    photo: Photo,
    source: Image.Image,
    stored_size: tuple[int, int],
    current: dict[tuple[str, int, str], PhotoRendition],
) -> int:
    """Store every planned rendition not in `current`; return how many were stored."""
    created = 0
    for spec, size, image_format, data in _encode_missing(photo, source, stored_size, current):
        _, made = _store(photo, spec, size, image_format, data)
        created += made
    return created


def _encode_missing(
    photo: Photo,
    source: Image.Image,
    stored_size: tuple[int, int],
    current: dict[tuple[str, int, str], PhotoRendition],
) -> Iterator[tuple[RenditionSpec, tuple[int, int], str, bytes]]:
    """Each planned rendition not in `current`, encoded: its spec, size, format and bytes."""
    icc_profile = source.info.get("icc_profile")
    # A 3:2 photo's card, lead and full renditions of one width are the same pixels, and encoding
    # (WebP above all) is most of the work: each distinct picture is encoded once per format.
    encoded: dict[tuple[tuple[int, int], bytes, str], bytes] = {}
    for spec in SPECS.values():
        for size in spec.sizes(*stored_size):
            formats = [f for f in spec.formats if (spec.name, size[0], f) not in current]
            if not formats:
                continue
            resized = _resize(source, spec, photo, size)
            pixels = hashlib.blake2b(resized.tobytes(), digest_size=16).digest()
            for image_format in formats:
                key = (size, pixels, image_format)
                if key not in encoded:
                    encoded[key] = _encode(resized, image_format, icc_profile)
                yield spec, size, image_format, encoded[key]


def _open_source(photo: Photo) -> tuple[Image.Image, tuple[int, int]]:
    """The photo's stored file decoded by `_decode`."""
    if not photo.image:
        raise FileNotFoundError("the photo has no file")
    with photo.image.open("rb") as stored:
        return _decode(stored.read())


def _decode(data: bytes) -> tuple[Image.Image, tuple[int, int]]:
    """The image's first frame decoded as RGB or RGBA, and the size of the stored image.

    A JPEG is decoded at 1/2, 1/4 or 1/8 scale when that still covers the largest rendition: the
    same result for a fraction of the work on a camera's 24-megapixel frame.
    """
    with Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS)) as image:
        stored_size = image.size
        planned = [size for spec in SPECS.values() for size in spec.sizes(*stored_size)]
        image.draft(None, (max(w for w, _ in planned), max(h for _, h in planned)))
        # An animation's first frame: a still photo is what the page shows.
        image.seek(0)
        image.load()
        icc_profile = image.info.get("icc_profile")
        frame = image
        if frame.mode.startswith("I"):
            # 16-bit greyscale PNG: Pillow's 8-bit conversions clip it to white rather than scale.
            frame = frame.convert("I").point(lambda value: value / 256).convert("L")
        converted = frame.convert("RGBA" if frame.has_transparency_data else "RGB")
    # Renditions are written as RGB, so only an RGB profile still describes their pixels.
    converted.info = {"icc_profile": icc_profile} if _is_rgb_profile(icc_profile) else {}
    return converted, stored_size


def _is_rgb_profile(icc_profile: bytes | None) -> bool:
    # Bytes 16-19 of an ICC header name the colour space of the data the profile describes.
    return bool(icc_profile) and icc_profile[16:20] == b"RGB "


def _resize(
    source: Image.Image, spec: RenditionSpec, photo: Photo, size: tuple[int, int]
) -> Image.Image:
    if spec.crop is None:
        return source.resize(size, Image.Resampling.LANCZOS)
    centering = _centering(source.size, spec.crop, (_focal(photo.focal_x), _focal(photo.focal_y)))
    return ImageOps.fit(source, size, Image.Resampling.LANCZOS, centering=centering)


def _centering(
    source_size: tuple[int, int], crop: tuple[int, int], focal: tuple[int, int]
) -> tuple[float, float]:
    """ImageOps.fit's centering that puts the focal point in the crop's middle where it can.

    `fit` spreads the cut-off margin by `centering`, which is not the same as centring a point:
    this is the share of the margin left of (above) a crop centred on the focal point, clamped
    so the crop stays inside the photo.
    """
    width, height = source_size
    ratio = crop[0] / crop[1]
    if width / height >= ratio:
        crop_width, crop_height = height * ratio, height
    else:
        crop_width, crop_height = width, width / ratio
    return (
        _axis_centering(width, crop_width, focal[0]),
        _axis_centering(height, crop_height, focal[1]),
    )


def _axis_centering(length: float, crop_length: float, focal_percent: int) -> float:
    margin = length - crop_length
    if margin <= 0:
        return 0.5
    start = length * focal_percent / 100 - crop_length / 2
    return min(max(start / margin, 0.0), 1.0)


def _encode(image: Image.Image, image_format: str, icc_profile: bytes | None) -> bytes:
    buffer = io.BytesIO()
    options = {"icc_profile": icc_profile} if icc_profile else {}
    if image_format == Format.WEBP:
        image.save(buffer, format="WEBP", quality=WEBP_QUALITY, **options)
    else:
        if image.mode == "RGBA":
            background = Image.new("RGB", image.size, JPEG_BACKGROUND)
            background.paste(image, mask=image.getchannel("A"))
            image = background
        image.save(
            buffer,
            format="JPEG",
            quality=JPEG_QUALITY,
            progressive=True,
            optimize=True,
            **options,
        )
    return buffer.getvalue()


def _store(
    photo: Photo,
    spec: RenditionSpec,
    size: tuple[int, int],
    image_format: str,
    data: bytes,
) -> tuple[PhotoRendition, bool]:
    """Save the file and its row, like get_or_create: a concurrent builder that inserted first
    wins, and our file is removed."""
    return _insert(_write(photo, spec, size, image_format, data))


def _write(
    photo: Photo,
    spec: RenditionSpec,
    size: tuple[int, int],
    image_format: str,
    data: bytes,
) -> PhotoRendition:
    """The rendition's file stored and its row built, not saved."""
    width, height = size
    source_key = spec.source_key(photo)
    rendition = PhotoRendition(
        photo=photo,
        spec=spec.name,
        width=width,
        height=height,
        format=image_format,
        source_key=source_key,
    )
    # The photo's own random file name keeps rendition URLs unguessable from a photo's id.
    stem = PurePosixPath(photo.image.name).stem[:64]
    extension = "webp" if image_format == Format.WEBP else "jpg"
    name = f"{stem}/{spec.name}-{width}-{source_key}.{extension}"
    rendition.file.save(name, ContentFile(data), save=False)
    return rendition


def _insert(rendition: PhotoRendition) -> tuple[PhotoRendition, bool]:
    try:
        with transaction.atomic():
            rendition.save(force_insert=True)
    except IntegrityError:
        winner = PhotoRendition.objects.filter(
            photo=rendition.photo,
            spec=rendition.spec,
            width=rendition.width,
            format=rendition.format,
        ).first()
        # A storage that overwrites (S3) may have given both builders one name: then it is the
        # winner's file too, and stays.
        if winner is None or winner.file.name != rendition.file.name:
            rendition.file.delete(save=False)
        if winner is None:
            raise  # not a lost race (the photo is gone, say): nothing to fall back on
        return winner, False
    return rendition, True


def _delete(renditions: list[PhotoRendition]) -> None:
    if renditions:
        PhotoRendition.objects.filter(pk__in=[r.pk for r in renditions]).delete()
