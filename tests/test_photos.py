"""The photo upload pipeline: what an editor sees when a file is refused, and what gets stored.

Every test image is drawn with Pillow at run time; caps are lowered through `settings` so the
over-the-limit files stay a few kilobytes.
"""

import io
import random
import struct
import warnings
import zlib

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageCms, ImageFile, PngImagePlugin

from articles.models import Photo
from articles.photos import PhotoFileField, prepare_photo_upload

RED, BLUE = (220, 20, 20), (20, 20, 220)


def encode(image: Image.Image, fmt: str, **save_kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save_kwargs)
    return buffer.getvalue()


def seeded_bytes(count: int, seed: int = 0) -> bytes:
    """Repeatable random bytes: the same test data on every run."""
    return random.Random(seed).randbytes(count)


def noise(width: int = 64, height: int = 64) -> Image.Image:
    """Incompressible pixels, so a cut anywhere in the file lands inside image data."""
    return Image.frombytes("RGB", (width, height), seeded_bytes(width * height * 3))


def animation(count: int = 3, size: tuple[int, int] = (40, 30)) -> list[Image.Image]:
    """Frames that differ (encoders merge identical neighbours), with a transparent background."""
    frames = []
    for index in range(count):
        frame = Image.new("RGBA", size, (0, 0, 0, 0))
        frame.paste((*RED, 255), (index * 8, 5, index * 8 + 10, 15))
        frames.append(frame)
    return frames


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def rejection(file) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        prepare_photo_upload(file)
    return caught.value


def reopen(cleaned: ContentFile) -> Image.Image:
    cleaned.seek(0)
    image = Image.open(io.BytesIO(cleaned.read()))
    image.load()
    return image


def frame_durations(image: Image.Image) -> list[int]:
    durations = []
    for index in range(image.n_frames):
        image.seek(index)
        image.load()
        durations.append(int(image.info["duration"]))
    return durations


# Rejections ---------------------------------------------------------------------------------

SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
SVG += b"<script>alert(1)</script></svg>"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        pytest.param(SVG, "logo.svg", id="svg"),
        pytest.param(SVG, "logo.jpg", id="svg-named-jpg"),
        pytest.param(encode(Image.new("RGB", (8, 8), RED), "BMP"), "scan.bmp", id="bmp"),
        pytest.param(encode(Image.new("RGB", (8, 8), RED), "TIFF"), "scan.tiff", id="tiff"),
        pytest.param(encode(Image.new("RGB", (8, 8), RED), "TIFF"), "scan.png", id="tiff-as-png"),
        pytest.param(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n", "a.pdf", id="pdf"),
        pytest.param(b"<!doctype html><title>x</title><img src=x>", "page.gif", id="html"),
        pytest.param(seeded_bytes(2048, seed=1), "photo.jpg", id="random-bytes"),
    ],
)
def test_files_that_are_not_jpeg_png_webp_or_gif_are_refused_by_content(data, name):
    error = rejection(upload(data, name))

    assert error.code == "unsupported_format"
    assert "формат не поддерживается" in error.messages[0]


def test_an_empty_file_is_refused():
    error = rejection(upload(b"", "photo.jpg"))

    assert error.code == "empty"
    assert "пустой" in error.messages[0]


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 1024 * 1024

    class HugeUpload:
        name = "photo.jpg"
        size = 3 * 1024 * 1024

        def read(self, size=-1):
            raise AssertionError("an oversized upload must not be read")

    error = rejection(HugeUpload())

    assert error.code == "too_large"
    assert "весит 3,0 МБ, а можно не больше 1,0 МБ" in error.messages[0].replace("\xa0", " ")


def test_a_file_that_understates_its_size_is_still_capped(settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 1000
    data = encode(noise(), "PNG")
    assert len(data) > 1000
    file = io.BytesIO(data)
    file.name, file.size = "photo.png", 10

    assert rejection(file).code == "too_large"


def test_an_image_over_the_pixel_cap_is_refused_from_its_header(settings, monkeypatch):
    settings.PHOTO_MAX_PIXELS = 100 * 100
    data = encode(Image.new("RGB", (101, 100), RED), "JPEG")

    def no_decoding(self):
        raise AssertionError("pixels must not be decoded before the cap is checked")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    error = rejection(upload(data, "photo.jpg"))

    assert error.code == "too_many_pixels"
    assert "101×100" in error.messages[0]


def test_an_image_exactly_at_the_pixel_cap_is_accepted(settings):
    settings.PHOTO_MAX_PIXELS = 100 * 100

    cleaned = prepare_photo_upload(
        upload(encode(Image.new("RGB", (100, 100), RED), "JPEG"), "a.jpg")
    )

    assert reopen(cleaned).size == (100, 100)


def test_an_animation_is_capped_by_the_pixels_of_all_its_frames(settings):
    settings.PHOTO_MAX_PIXELS = 3000  # one 40×30 frame is 1,200 pixels; three are 3,600
    first, *rest = animation(3)
    data = encode(first, "GIF", save_all=True, append_images=rest, duration=100)

    error = rejection(upload(data, "loop.gif"))

    assert error.code == "too_many_pixels"
    assert "кадров: 3" in error.messages[0]


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny real PNG whose IHDR header is rewritten to claim other dimensions."""
    data = bytearray(encode(Image.new("1", (1, 1)), "PNG"))
    ihdr_start = 12  # after the 8-byte signature and the chunk length
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[ihdr_start:29])))
    return bytes(data)


def test_a_decompression_bomb_header_is_refused_without_a_500():
    # 100,000 × 100,000 is far over Pillow's own bomb threshold, so Image.open itself objects.
    error = rejection(upload(png_claiming_size(100_000, 100_000), "bomb.png"))

    assert error.code == "decompression_bomb"
    assert "неправдоподобно велики" in error.messages[0]


def test_pillows_bomb_warning_becomes_a_refusal_and_does_not_leak(settings, monkeypatch):
    settings.PHOTO_MAX_PIXELS = 10**9  # let Pillow's threshold, not ours, be the one that trips
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    data = encode(Image.new("RGB", (40, 40), RED), "PNG")  # 1,600 px: a warning, not an error

    with warnings.catch_warnings(record=True) as leaked:
        warnings.simplefilter("always")
        error = rejection(upload(data, "photo.png"))

    assert error.code == "decompression_bomb"
    assert leaked == []
    assert Image.MAX_IMAGE_PIXELS == 1000  # the pipeline leaves Pillow's global alone


@pytest.mark.parametrize(
    ("fmt", "name"), [("JPEG", "cut.jpg"), ("PNG", "cut.png"), ("WEBP", "cut.webp")]
)
def test_a_truncated_image_is_refused(fmt, name):
    data = encode(noise(), fmt)

    error = rejection(upload(data[: len(data) * 2 // 3], name))

    assert error.code == "corrupt"
    assert "повреждён или загружен не полностью" in error.messages[0]


def test_an_image_its_format_cannot_hold_after_decoding_is_refused_without_a_500():
    # Opaque frames: the encoder must then write the whole canvas, not just the changed corner.
    first, *rest = [frame.convert("RGB") for frame in animation(3)]
    data = bytearray(encode(first, "WEBP", save_all=True, append_images=rest, duration=50))
    assert data[12:16] == b"VP8X"
    data[27:30] = (20_000 - 1).to_bytes(3, "little")  # canvas height, over WebP's 16,383 limit

    error = rejection(upload(bytes(data), "tall.webp"))

    assert error.code == "cannot_reencode"
    assert "Сохраните его в JPEG или PNG" in error.messages[0]


def test_truncated_images_are_never_silently_padded(monkeypatch):
    # Some libraries switch this Pillow global on; the pipeline then refuses to run rather than
    # store photos with a grey bottom half.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)

    with pytest.raises(ImproperlyConfigured, match="LOAD_TRUNCATED_IMAGES"):
        prepare_photo_upload(upload(encode(noise(), "JPEG"), "photo.jpg"))


@pytest.mark.parametrize(
    ("fmt", "name", "real"),
    [("PNG", "photo.jpg", "PNG"), ("JPEG", "photo.png", "JPEG"), ("GIF", "photo.webp", "GIF")],
)
def test_an_extension_that_disagrees_with_the_content_is_refused(fmt, name, real):
    data = encode(Image.new("RGB", (8, 8), RED), fmt)

    error = rejection(upload(data, name))

    assert error.code == "extension_mismatch"
    assert f"на самом деле это {real}" in error.messages[0]


@pytest.mark.parametrize("name", ["photo.bmp", "photo.jfif.exe", "photo"])
def test_an_extension_outside_the_four_formats_is_refused(name):
    data = encode(Image.new("RGB", (8, 8), RED), "JPEG")

    error = rejection(upload(data, name))

    assert error.code == "invalid_extension"
    assert ".jpg, .jpeg, .png, .webp или .gif" in error.messages[0]


# Acceptance ---------------------------------------------------------------------------------


def camera_jpeg(orientation: int) -> bytes:
    """A landscape JPEG (red left, blue right) as a phone writes it: EXIF with GPS, XMP, comment."""
    image = Image.new("RGB", (60, 40), BLUE)
    image.paste(RED, (0, 0, 30, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "Canon"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] = "SERIAL-4242"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (54.0, 42.0, 36.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (20.0, 30.0, 0.0),
        }
    )
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>XMP-SECRET</rdf:RDF></x:xmpmeta>'
    return encode(image, "JPEG", exif=exif.tobytes(), xmp=xmp, comment=b"COMMENT-SECRET")


def test_a_rotated_phone_photo_is_stored_upright_without_exif_gps_xmp_or_comment():
    source = camera_jpeg(orientation=6)  # "rotate 90° clockwise to display"
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    cleaned = prepare_photo_upload(upload(source, "IMG_0042.JPG"))
    stored = reopen(cleaned)
    cleaned.seek(0)
    raw = cleaned.read()

    assert cleaned.name == "photo.jpg"
    assert (stored.format, stored.size) == ("JPEG", (40, 60))
    assert stored.getpixel((20, 10))[0] > 150  # the red left half is now on top
    assert stored.getpixel((20, 50))[2] > 150
    assert len(stored.getexif()) == 0
    assert not {"exif", "xmp", "comment"} & stored.info.keys()
    for secret in (b"Exif", b"Canon", b"SERIAL-4242", b"XMP-SECRET", b"COMMENT-SECRET"):
        assert secret not in raw
    assert stored.info.get("progressive") or stored.info.get("progression")


def test_a_photo_with_a_damaged_exif_block_is_accepted_quietly():
    source = bytearray(camera_jpeg(orientation=6))
    tiff = source.index(b"Exif\x00\x00") + 6
    order = "little" if source[tiff : tiff + 2] == b"II" else "big"
    first_entry = tiff + 8 + 2  # after the TIFF header and IFD0's entry count
    assert source[first_entry : first_entry + 2] == (271).to_bytes(2, order)  # Make
    source[first_entry + 4 : first_entry + 8] = (0x7FFFFFFF).to_bytes(4, order)  # its length

    with warnings.catch_warnings(record=True) as leaked:
        warnings.simplefilter("always")
        stored = reopen(prepare_photo_upload(upload(bytes(source), "photo.jpg")))

    assert stored.size == (40, 60)  # the orientation entry was still readable
    assert leaked == []


def test_the_colour_profile_survives():
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(Image.new("RGB", (16, 16), RED), "JPEG", icc_profile=icc)

    stored = reopen(prepare_photo_upload(upload(data, "photo.jpeg")))

    assert stored.info["icc_profile"] == icc


def test_a_cmyk_jpeg_is_stored_as_rgb():
    data = encode(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), "JPEG")

    stored = reopen(prepare_photo_upload(upload(data, "print.jpg")))

    assert stored.mode == "RGB"
    red, green, blue = stored.getpixel((8, 8))
    assert red > 200 and green < 50 and blue < 50


def test_a_png_loses_its_text_chunks_and_keeps_its_transparency():
    image = Image.new("RGBA", (16, 16), (*RED, 255))
    image.putpixel((0, 0), (0, 0, 0, 0))
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "PNG-TEXT-SECRET")
    text.add_itxt("Author", "Анна PNG-ITXT-SECRET", zip=True)
    source = encode(image, "PNG", pnginfo=text)
    assert Image.open(io.BytesIO(source)).text["Comment"] == "PNG-TEXT-SECRET"

    cleaned = prepare_photo_upload(upload(source, "chart.png"))
    stored = reopen(cleaned)
    cleaned.seek(0)

    assert cleaned.name == "photo.png"
    assert stored.text == {}
    assert b"SECRET" not in cleaned.read()
    assert stored.getpixel((0, 0))[3] == 0 and stored.getpixel((5, 5)) == (*RED, 255)


def test_a_palette_png_keeps_its_palette_and_transparent_colour():
    image = Image.new("P", (16, 16), 1)
    image.putpalette([*BLUE, *RED] + [0, 0, 0] * 254)
    image.putpixel((0, 0), 0)
    source = encode(image, "PNG", transparency=0)

    stored = reopen(prepare_photo_upload(upload(source, "icon.png")))

    assert stored.mode == "P"
    rgba = stored.convert("RGBA")
    assert rgba.getpixel((0, 0))[3] == 0 and rgba.getpixel((5, 5)) == (*RED, 255)


def test_an_animated_gif_keeps_its_frames_timing_and_loop_but_not_its_comment():
    first, *rest = animation(4)
    source = encode(
        first,
        "GIF",
        save_all=True,
        append_images=rest,
        duration=[100, 200, 300, 400],
        loop=0,
        disposal=2,
        comment=b"GIF-SECRET",
    )

    cleaned = prepare_photo_upload(upload(source, "loop.gif"))
    stored = reopen(cleaned)
    cleaned.seek(0)

    assert cleaned.name == "photo.gif"
    assert stored.n_frames == 4
    assert frame_durations(stored) == [100, 200, 300, 400]
    assert stored.info["loop"] == 0
    assert b"GIF-SECRET" not in cleaned.read()
    stored.seek(2)
    assert stored.convert("RGBA").getpixel((0, 0))[3] == 0  # transparency survives too


def test_a_webp_photo_is_accepted_without_its_exif():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "WEBP-SECRET"
    source = encode(Image.new("RGB", (32, 24), RED), "WEBP", exif=exif.tobytes())

    cleaned = prepare_photo_upload(upload(source, "photo.webp"))
    stored = reopen(cleaned)
    cleaned.seek(0)

    assert cleaned.name == "photo.webp"
    assert (stored.format, stored.size) == ("WEBP", (32, 24))
    assert b"WEBP-SECRET" not in cleaned.read()


def test_an_animated_webp_keeps_its_frames():
    first, *rest = animation(3)
    source = encode(first, "WEBP", save_all=True, append_images=rest, duration=[50, 60, 70])

    stored = reopen(prepare_photo_upload(upload(source, "sticker.webp")))

    assert stored.n_frames == 3
    assert frame_durations(stored) == [50, 60, 70]


def test_a_multi_picture_jpeg_is_stored_as_its_first_picture():
    first = Image.new("RGB", (30, 20), RED)
    source = encode(first, "MPO", save_all=True, append_images=[Image.new("RGB", (30, 20), BLUE)])

    cleaned = prepare_photo_upload(upload(source, "stereo.jpg"))
    stored = reopen(cleaned)

    assert cleaned.name == "photo.jpg"
    assert (stored.format, getattr(stored, "n_frames", 1)) == ("JPEG", 1)


def test_any_named_file_object_is_accepted():
    file = io.BytesIO(encode(Image.new("RGB", (8, 8), RED), "JPEG"))
    file.name = "photo.jpg"  # no .size: the pipeline still reads at most the cap

    assert prepare_photo_upload(file).name == "photo.jpg"


# The form field and storage -----------------------------------------------------------------


class PhotoForm(forms.ModelForm):
    image = PhotoFileField(label="Файл")

    class Meta:
        model = Photo
        fields = ["image", "alt_text", "credit"]


def test_the_file_input_offers_only_the_four_formats():
    html = str(PhotoForm()["image"])

    assert 'accept="image/jpeg,image/png,image/webp,image/gif"' in html


def test_the_field_reports_the_pipelines_error():
    form = PhotoForm(
        data={"alt_text": "Мост", "credit": "Анна"},
        files={"image": upload(SVG, "logo.svg")},
    )

    assert not form.is_valid()
    assert form.errors.as_data()["image"][0].code == "unsupported_format"


def test_the_field_keeps_the_existing_file_when_nothing_new_is_uploaded():
    existing = object()

    assert PhotoFileField().clean(None, existing) is existing
    assert PhotoFileField().clean("", existing) is existing


@pytest.mark.django_db
def test_a_photo_saved_through_the_orm_gets_dimensions_and_a_generated_name(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cleaned = prepare_photo_upload(upload(camera_jpeg(orientation=6), "Иванов_паспорт.jpg"))

    photo = Photo.objects.create(image=cleaned, alt_text="Мост", credit="Анна")
    photo.refresh_from_db()

    assert (photo.width, photo.height) == (40, 60)
    assert photo.image.name.startswith("photos/")
    assert photo.image.name.endswith(".jpg")
    assert "Иванов" not in photo.image.name and "photo" not in photo.image.name.split("/")[-1]
    with photo.image.open("rb") as stored:
        assert b"Exif" not in stored.read()


@pytest.mark.django_db
def test_editing_a_photo_without_a_new_upload_keeps_its_file(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = {"alt_text": "Мост", "credit": "Анна"}
    created = PhotoForm(data=data, files={"image": upload(camera_jpeg(6), "IMG_1.jpg")})
    assert created.is_valid(), created.errors
    photo = created.save()
    original_name = photo.image.name

    edited = PhotoForm(data={**data, "alt_text": "Мост в тумане"}, files={}, instance=photo)
    assert edited.is_valid(), edited.errors
    photo = edited.save()
    photo.refresh_from_db()

    assert photo.alt_text == "Мост в тумане"
    assert photo.image.name == original_name
    assert (photo.width, photo.height) == (40, 60)
