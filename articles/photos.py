"""The photo upload pipeline: untrusted image bytes in, a clean re-encoded image out.

Every uploaded photo is decoded by Pillow and written again from pixels, so nothing the
uploader's camera or software put in the file (GPS position, camera serial number, XMP, PNG text,
comments, trailing data) reaches the site, and a file that cannot be fully decoded never does.
"""

import datetime
import errno
import io
import json
import logging
import struct
import uuid
import warnings
from pathlib import PurePosixPath
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError
from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

# The only formats Pillow may even try to parse: browsers show them all, and a smaller parser
# surface means fewer decoders exposed to hostile files.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp,image/gif"

_EXTENSION_FORMATS = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".png": "PNG",
    ".webp": "WEBP",
    ".gif": "GIF",
}
_FORMAT_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
_FORMAT_LABELS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}
_PNG_MODES = frozenset({"1", "L", "LA", "P", "RGB", "RGBA", "I;16", "I"})

# What a decoder may raise on hostile or damaged input; anything else is a bug and stays a 500.
# The rendition builder reads stored files with the same list.
DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    struct.error,
)


class PhotoUpload(Protocol):
    """What the pipeline needs from an upload: Django's UploadedFile or any named binary file."""

    name: str | None
    size: int | None

    def read(self, size: int = -1, /) -> bytes: ...


def prepare_photo_upload(uploaded: PhotoUpload) -> ContentFile:
    """Return the upload re-encoded from pixels as ``photo.<ext>``, or raise a ValidationError.

    The returned file carries only the pixels, frame timings and the ICC colour profile; its name
    only gives the real format, so ``photo_upload_to`` can build a fresh name from the suffix.
    """
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # With this global on, Pillow pads a cut-off file with grey instead of failing, so the
        # full decode would prove nothing. Refuse loudly rather than store half-photos silently.
        raise ImproperlyConfigured(
            "PIL.ImageFile.LOAD_TRUNCATED_IMAGES is True: photo uploads cannot detect truncated "
            "files. Find the code that sets it and turn it off."
        )
    data = _read_capped(uploaded)
    # catch_warnings is not thread-safe before Python 3.14 (the filter list is global). If another
    # thread's exit races us and the warning is only printed, our own pixel cap (60 Mp by default,
    # under Pillow's 89 Mp warning threshold) still refuses the image from its header.
    with warnings.catch_warnings():
        # Pillow's UserWarnings here are about damaged metadata (EXIF, APNG chunks) that the
        # re-encoded file drops anyway: nobody can act on them, so they stay out of the logs.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return _reencode(data, uploaded_name=getattr(uploaded, "name", None) or "")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ValidationError(
                _(
                    "Размеры изображения в файле неправдоподобно велики — похоже, файл повреждён "
                    "или подделан."
                ),
                code="decompression_bomb",
            ) from error


def _read_capped(uploaded: PhotoUpload) -> bytes:
    """The upload's bytes, refusing empty and oversized files (by declared size before reading)."""
    limit = settings.PHOTO_MAX_UPLOAD_BYTES
    declared_size = getattr(uploaded, "size", None)
    if declared_size is not None and declared_size > limit:
        raise _too_large(declared_size, limit)
    if declared_size == 0:
        raise _empty()
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    # One byte over the cap is enough to know a file that lied about its size is too big.
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise _too_large(len(data), limit)
    if not data:
        raise _empty()
    return data


def _reencode(data: bytes, *, uploaded_name: str) -> ContentFile:
    try:
        image = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
    except UnidentifiedImageError as error:
        raise ValidationError(
            _(
                "Этот формат не поддерживается. Загрузите фотографию в формате JPEG, PNG, WebP "
                "или GIF."
            ),
            code="unsupported_format",
        ) from error
    except DECODE_ERRORS as error:
        raise _corrupt() from error
    with image:
        # A multi-picture JPEG (MPO, from phones and 3D cameras) is a JPEG with extra pictures
        # appended; only the first one is the photo.
        image_format = "JPEG" if image.format == "MPO" else image.format
        _check_extension(uploaded_name, image_format)
        frame_count = _checked_frame_count(image, image_format)
        icc_profile = image.info.get("icc_profile")
        loop = image.info.get("loop")
        try:
            frames, durations = _decode_frames(image, frame_count)
        except DECODE_ERRORS as error:
            raise _corrupt() from error
    frames, icc_profile, save_options = _prepare_for_format(frames, image_format, icc_profile)
    if icc_profile:
        save_options["icc_profile"] = icc_profile
    if len(frames) > 1:
        save_options.update(save_all=True, append_images=frames[1:], duration=durations)
        if loop is not None:
            save_options["loop"] = loop
    buffer = io.BytesIO()
    try:
        frames[0].save(buffer, format=image_format, **save_options)
    except (OSError, ValueError, RuntimeError) as error:
        # Decoders accept some files their encoders cannot write, e.g. WebP over 16,383 px a side.
        raise ValidationError(
            _(
                "Это изображение не получается пересохранить в его же формате (например, WebP "
                "больше 16 383 пикселей по стороне). Сохраните его в JPEG или PNG и загрузите "
                "снова."
            ),
            code="cannot_reencode",
        ) from error
    return ContentFile(buffer.getvalue(), name=f"photo.{_FORMAT_EXTENSIONS[image_format]}")


def _check_extension(uploaded_name: str, image_format: str) -> None:
    """The file name must promise what the bytes are, so nobody is misled about the file."""
    extension = PurePosixPath(uploaded_name.replace("\\", "/")).suffix.lower()
    expected_format = _EXTENSION_FORMATS.get(extension)
    if expected_format is None:
        raise ValidationError(
            _(
                "Имя файла должно оканчиваться на .jpg, .jpeg, .png, .webp или .gif, "
                "а не «%(extension)s»."
            ),
            code="invalid_extension",
            params={"extension": extension or _("без расширения")},
        )
    if expected_format != image_format:
        raise ValidationError(
            _(
                "Расширение «%(extension)s» не совпадает с содержимым: на самом деле это "
                "%(format)s. Сохраните файл в нужном формате или исправьте расширение."
            ),
            code="extension_mismatch",
            params={"extension": extension, "format": _FORMAT_LABELS[image_format]},
        )


def _checked_frame_count(image: Image.Image, image_format: str) -> int:
    """Frames to decode, refusing images whose decoded pixels over all frames exceed the cap.

    Only headers are read: width and height are known at open, and counting GIF/WebP/APNG frames
    walks frame headers without decoding pixels.
    """
    limit = settings.PHOTO_MAX_PIXELS
    if image.width * image.height > limit:
        raise _too_many_pixels(image, 1, limit)
    if image_format == "JPEG":
        return 1
    try:
        frame_count = getattr(image, "n_frames", 1)
    except DECODE_ERRORS as error:
        raise _corrupt() from error
    if image.width * image.height * frame_count > limit:
        raise _too_many_pixels(image, frame_count, limit)
    return frame_count


def _decode_frames(image: Image.Image, frame_count: int) -> tuple[list[Image.Image], list[int]]:
    """Every frame decoded in full (proving the file is whole) and turned upright, with no info."""
    frames = []
    durations = []
    for index in range(frame_count):
        image.seek(index)
        image.load()
        try:
            frame = ImageOps.exif_transpose(image)
        except DECODE_ERRORS:
            # Pixels decoded fine but the EXIF block is garbage: keep the photo as it is stored.
            frame = image.copy()
        durations.append(int(image.info.get("duration") or 0))
        # Everything Pillow read besides pixels lives in .info (EXIF, XMP, text chunks, comments);
        # the encoders copy some of it from there, so the frame keeps only its transparency.
        transparency = frame.info.get("transparency")
        frame.info = {} if transparency is None else {"transparency": transparency}
        frames.append(frame)
    return frames, durations


def _prepare_for_format(
    frames: list[Image.Image], image_format: str, icc_profile: bytes | None
) -> tuple[list[Image.Image], bytes | None, dict[str, Any]]:
    """Frames in modes the encoder writes faithfully, the profile to embed, and encoder options."""
    if len(frames) > 1:
        # Frames of an animation may come in different modes and palettes; a common mode
        # keeps the encoders from remapping later frames through the first frame's palette.
        frames = [_as_rgba(frame) for frame in frames]
    if image_format == "JPEG":
        if frames[0].mode == "CMYK":
            frames, icc_profile = [_cmyk_to_rgb(frames[0], icc_profile)], None
        elif frames[0].mode not in ("L", "RGB"):
            frames = [frames[0].convert("RGB")]
        return frames, icc_profile, {"quality": 88, "progressive": True, "optimize": True}
    if image_format == "PNG":
        if frames[0].mode not in _PNG_MODES:
            frames = [frames[0].convert("RGBA")]
        return frames, icc_profile, _transparency_option(frames[0]) | {"optimize": True}
    if image_format == "WEBP":
        if len(frames) == 1 and frames[0].mode not in ("RGB", "RGBA"):
            has_alpha = frames[0].has_transparency_data
            frames = [frames[0].convert("RGBA" if has_alpha else "RGB")]
        return frames, icc_profile, {"quality": 85}
    # GIF: a single frame stays in its own palette; an animation is re-quantized by the encoder.
    options = _transparency_option(frames[0]) if len(frames) == 1 else {"disposal": 2}
    return frames, icc_profile, options


def _as_rgba(frame: Image.Image) -> Image.Image:
    """The frame with any palette transparency turned into alpha, and no info left over."""
    converted = frame.convert("RGBA")
    converted.info = {}
    return converted


def _transparency_option(frame: Image.Image) -> dict[str, Any]:
    transparency = frame.info.get("transparency")
    return {} if transparency is None else {"transparency": transparency}


def _cmyk_to_rgb(frame: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Print-shop CMYK as screen RGB, through the file's own profile when it has a usable one.

    The CMYK profile is dropped afterwards: it describes ink, not the RGB pixels we write.
    """
    if icc_profile:
        try:
            return ImageCms.profileToProfile(
                frame,
                ImageCms.ImageCmsProfile(io.BytesIO(icc_profile)),
                ImageCms.createProfile("sRGB"),
                outputMode="RGB",
            )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass
    return frame.convert("RGB")


_TOO_LARGE = gettext_lazy("Файл весит %(size)s, а можно не больше %(limit)s. Уменьшите фотографию.")


def _too_large(size: int, limit: int) -> ValidationError:
    return ValidationError(
        _TOO_LARGE,
        code="too_large",
        params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
    )


def _empty() -> ValidationError:
    return ValidationError(_("Файл пустой — выберите фотографию заново."), code="empty")


def _too_many_pixels(image: Image.Image, frame_count: int, limit: int) -> ValidationError:
    params = {
        "width": image.width,
        "height": image.height,
        "frames": frame_count,
        "megapixels": number_format(image.width * image.height * frame_count / 1e6, 1),
        "limit": number_format(limit / 1e6, 1),
    }
    if frame_count == 1:
        message = _(
            "Изображение %(width)d×%(height)d — это %(megapixels)s Мп, а можно не больше "
            "%(limit)s Мп. Уменьшите его и загрузите снова."
        )
    else:
        message = _(
            "Анимация %(width)d×%(height)d, кадров: %(frames)d — это %(megapixels)s Мп, а можно "
            "не больше %(limit)s Мп. Уменьшите размер или число кадров."
        )
    return ValidationError(message, code="too_many_pixels", params=params)


def _corrupt() -> ValidationError:
    return ValidationError(
        _(
            "Файл изображения повреждён или загружен не полностью. Откройте его в редакторе, "
            "сохраните заново и повторите загрузку."
        ),
        code="corrupt",
    )


# What writing to the media storage may raise: the disk's errors (a full disk is ENOSPC or
# EDQUOT) and, with media on S3, the client's. The desk turns them into a form error.
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)
_NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})


def storage_failed(error: BaseException) -> ValidationError:
    """The form error for an upload the media storage could not take; nothing of it was kept."""
    logger.error("Media storage refused a photo: %s: %s", type(error).__name__, error)
    if isinstance(error, OSError) and error.errno in _NO_SPACE:
        message = _(
            "На сервере закончилось место для фотографий, поэтому файл не сохранён. Сообщите "
            "администратору сайта и попробуйте снова, когда место освободят."
        )
        return ValidationError(message, code="storage_full")
    return ValidationError(
        _(
            "Хранилище фотографий не приняло файл, поэтому он не сохранён. Попробуйте ещё раз "
            "позже."
        ),
        code="storage_failed",
    )


def file_missing_error() -> ValidationError:
    """The warning on a photo whose file is gone from storage: the text is kept, a file is due."""
    return ValidationError(
        _(
            "Файл этой фотографии пропал из хранилища: на сайте вместо неё показывается заглушка. "
            "Загрузите файл заново."
        ),
        code="file_missing",
    )


def size_check_attrs() -> dict[str, str]:
    """What the browser needs to refuse an oversized file before sending it, in the server's words.

    The message is the server's with the limit filled in; the browser fills in the file's size,
    formatted as Django's filesizeformat does (static/articles/admin/photo-upload.js)."""
    limit = settings.PHOTO_MAX_UPLOAD_BYTES
    units = {"KB": gettext("%s KB"), "MB": gettext("%s MB"), "GB": gettext("%s GB")}
    return {
        "data-max-bytes": str(limit),
        "data-too-large": str(_TOO_LARGE) % {"size": "%(size)s", "limit": filesizeformat(limit)},
        "data-size-units": json.dumps(units, ensure_ascii=False),
        "data-decimal-separator": get_format("DECIMAL_SEPARATOR"),
    }


class PhotoFileField(forms.FileField):
    """A file input whose cleaned value is the pipeline's re-encoded photo, never the upload.

    Without a new upload, ``clean(data, initial)`` keeps the photo's existing file.
    """

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = ACCEPT_ATTRIBUTE
        return attrs

    def to_python(self, data: Any) -> ContentFile | None:
        if data in self.empty_values:
            return None
        if not callable(getattr(data, "read", None)):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return prepare_photo_upload(data)


# Uploads kept across a failed validation ----------------------------------------------------------
#
# A form that fails on another field (a missing credit) would make the editor choose the file
# again. Instead the photo, already re-encoded by the pipeline, is stored under a throwaway name
# and the form carries a signed token naming it; the next submission uses it without a new upload.
# Leftovers of forms never sent again are deleted once they are older than PENDING_MAX_AGE.

PENDING_DIRECTORY = "photos/pending"
PENDING_MAX_AGE = datetime.timedelta(hours=6)
_PENDING_SALT = "articles.photos.pending"
_PENDING_FORMATS = {
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}


def keep_pending(photo: ContentFile) -> str:
    """Store a re-encoded photo of a form that failed and return the signed token naming it."""
    purge_stale_pending()
    suffix = PurePosixPath(photo.name or "").suffix.lower()
    if suffix not in _PENDING_FORMATS:
        raise ValueError(f"not a re-encoded photo: {photo.name!r}")
    photo.seek(0)
    name = default_storage.save(f"{PENDING_DIRECTORY}/{uuid.uuid4().hex}{suffix}", photo)
    return signing.dumps(name, salt=_PENDING_SALT)


def try_keep_pending(photo: ContentFile) -> str | None:
    """`keep_pending`, or None when the storage cannot take the file: the editor then chooses it
    again, which beats losing the rest of the form to an error page."""
    try:
        return keep_pending(photo)
    except STORAGE_ERRORS as error:
        logger.warning("Cannot keep an upload for the form (%s: %s)", type(error).__name__, error)
        return None


def pending_name(token: str) -> str | None:
    """The stored name a token names, or None for a forged, expired or already used token."""
    if not isinstance(token, str) or not token or len(token) > 500:
        return None
    try:
        name = signing.loads(token, salt=_PENDING_SALT, max_age=PENDING_MAX_AGE)
    except signing.BadSignature:
        return None
    if not (
        isinstance(name, str)
        and name.startswith(PENDING_DIRECTORY + "/")
        and PurePosixPath(name).suffix in _PENDING_FORMATS
        and ".." not in name
        and default_storage.exists(name)
    ):
        return None
    return name


def open_pending(name: str) -> ContentFile:
    """The kept photo as the pipeline returned it (``photo.<ext>``), ready to be saved."""
    with default_storage.open(name) as stored:
        return ContentFile(stored.read(), name=f"photo{PurePosixPath(name).suffix}")


def pending_content_type(name: str) -> str:
    return _PENDING_FORMATS[PurePosixPath(name).suffix]


def discard_pending(name: str | None) -> None:
    if name:
        default_storage.delete(name)


def purge_stale_pending(now: datetime.datetime | None = None) -> int:
    """Delete kept uploads older than PENDING_MAX_AGE; return how many went."""
    now = now or timezone.now()
    try:
        _folders, files = default_storage.listdir(PENDING_DIRECTORY)
    except FileNotFoundError:
        return 0
    removed = 0
    for file_name in files:
        name = f"{PENDING_DIRECTORY}/{file_name}"
        try:
            if now - default_storage.get_modified_time(name) > PENDING_MAX_AGE:
                default_storage.delete(name)
                removed += 1
        except (FileNotFoundError, NotImplementedError):
            continue
    if removed:
        logger.info("Deleted %d kept photo uploads older than %s", removed, PENDING_MAX_AGE)
    return removed
