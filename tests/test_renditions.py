"""Photo renditions: made once, never upscaled, cropped on the focal point, only read by pages.

Photos are drawn with Pillow at run time and kept small, so a full build takes milliseconds.
"""

import io
import logging
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.template import Context, Template, TemplateSyntaxError
from PIL import Image

from articles.models import Article, Photo, PhotoRendition
from articles.renditions import (
    SPECS,
    RenditionURL,
    _store,
    build_renditions,
    prefetch_renditions,
    rendition_url,
)

from .factories import ArticleFactory, PhotoFactory, make_image_bytes

pytestmark = pytest.mark.django_db

RED, BLUE = (220, 20, 20), (20, 20, 220)
HOSTILE_ALT = 'Дом "у реки" <script>alert(1)</script> & сад'


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def photo_of(width: int, height: int, fmt: str = "JPEG", **fields) -> Photo:
    data = make_image_bytes(width, height, fmt=fmt)
    return PhotoFactory(image=ContentFile(data, name=f"photo.{fmt.lower()}"), **fields)


def photo_from(image: Image.Image, fmt: str, **save_kwargs) -> Photo:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save_kwargs)
    return PhotoFactory(image=ContentFile(buffer.getvalue(), name=f"photo.{fmt.lower()}"))


def rendition_files(media: Path) -> list[Path]:
    return sorted(path for path in (media / "renditions").rglob("*") if path.is_file())


def renditions_of(photo: Photo, spec: str, fmt: str = "jpeg") -> list[PhotoRendition]:
    return list(photo.renditions.filter(spec=spec, format=fmt).order_by("width"))


def opened(rendition: PhotoRendition) -> Image.Image:
    with rendition.file.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        image.load()
    return image


def render(source: str, **context) -> str:
    return Template("{% load photos %}" + source).render(Context(context))


def warnings_from(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "articles.renditions" and record.levelno == logging.WARNING
    ]


# Building ------------------------------------------------------------------------------------


def test_renditions_are_made_once_per_photo_size_width_and_format(media):
    photo = photo_of(1000, 700)

    first = build_renditions(photo)
    files = rendition_files(media)
    rows = set(PhotoRendition.objects.values_list("pk", "file"))
    second = build_renditions(photo)

    assert first.created == len(rows) == len(files) > 0
    assert second.created == 0 and not second.failed
    assert rendition_files(media) == files
    assert set(PhotoRendition.objects.values_list("pk", "file")) == rows
    assert all(name.startswith("renditions/") for _, name in rows)


def test_a_photo_with_all_its_renditions_is_not_read_again(monkeypatch):
    photo = photo_of(640, 480)
    build_renditions(photo)
    monkeypatch.setattr("articles.renditions._open_source", lambda photo: pytest.fail("read"))

    assert build_renditions(photo).created == 0


def test_widths_never_exceed_the_original_and_one_width_always_remains():
    photo = photo_of(1000, 700)
    small = photo_of(200, 150)

    build_renditions(photo)
    build_renditions(small)

    assert [r.width for r in renditions_of(photo, "lead")] == [480, 800]
    assert [r.width for r in renditions_of(photo, "full")] == [480, 800]
    assert [(r.width, r.height) for r in renditions_of(photo, "og")] == [(1000, 525)]
    assert all(r.width <= 1000 and r.height <= 700 for r in photo.renditions.all())
    assert {spec: [r.width for r in renditions_of(small, spec)] for spec in SPECS} == {
        "thumb": [80, 160],
        "card": [200],
        "lead": [200],
        "full": [200],
        "og": [200],
    }
    assert all(r.width <= 200 and r.height <= 150 for r in small.renditions.all())


def test_crops_are_three_by_two_and_each_file_is_the_format_and_size_its_row_says():
    photo = photo_of(1000, 800)

    build_renditions(photo)

    for rendition in photo.renditions.all():
        image = opened(rendition)
        assert image.format == rendition.format.upper()
        assert image.size == (rendition.width, rendition.height)
        if rendition.spec in ("card", "lead"):
            assert rendition.width / rendition.height == pytest.approx(1.5, abs=0.01)
        if rendition.spec == "full":
            assert rendition.width / rendition.height == pytest.approx(1.25, abs=0.01)
        if rendition.format == "jpeg":
            assert image.info.get("progressive")
    for spec in ("card", "lead", "full"):
        jpeg_widths = [r.width for r in renditions_of(photo, spec, "jpeg")]
        assert [r.width for r in renditions_of(photo, spec, "webp")] == jpeg_widths
    assert not photo.renditions.filter(spec__in=["og", "thumb"], format="webp").exists()


def test_a_crop_is_centred_on_the_focal_point():
    picture = Image.new("RGB", (900, 300), RED)
    picture.paste(BLUE, (450, 0, 900, 300))
    photo = photo_from(picture, "PNG")
    photo.focal_x = 90
    photo.save()

    build_renditions(photo)

    cropped = opened(renditions_of(photo, "card")[-1])
    assert cropped.size == (320, 213)
    for x in (8, 160, 311):
        red, _, blue = cropped.getpixel((x, 100))
        assert blue > 200 and red < 60  # all blue: the right half, not the middle


def test_without_a_focal_point_the_crop_is_centred():
    picture = Image.new("RGB", (900, 300), RED)
    picture.paste(BLUE, (450, 0, 900, 300))
    photo = photo_from(picture, "PNG")

    build_renditions(photo)

    cropped = opened(renditions_of(photo, "card")[-1])
    assert cropped.getpixel((8, 100))[0] > 200
    assert cropped.getpixel((311, 100))[2] > 200


def test_transparency_lands_on_white_in_jpeg_and_stays_in_webp():
    photo = photo_from(Image.new("RGBA", (400, 300), (0, 0, 0, 0)), "PNG")

    build_renditions(photo)

    assert opened(renditions_of(photo, "card", "jpeg")[0]).getpixel((5, 5)) == (255, 255, 255)
    webp = opened(renditions_of(photo, "card", "webp")[0])
    assert webp.mode == "RGBA" and webp.getpixel((5, 5))[3] == 0


def test_an_animated_gif_is_rendered_from_its_first_frame():
    frames = [Image.new("RGB", (300, 200), RED), Image.new("RGB", (300, 200), BLUE)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    photo = PhotoFactory(image=ContentFile(buffer.getvalue(), name="photo.gif"))

    build_renditions(photo)

    red, _, blue = opened(renditions_of(photo, "full")[0]).getpixel((10, 10))
    assert red > 200 and blue < 60


def test_a_sixteen_bit_greyscale_png_keeps_its_tones():
    photo = photo_from(Image.new("I;16", (300, 200), 32768), "PNG")

    build_renditions(photo)

    assert opened(renditions_of(photo, "full")[0]).getpixel((10, 10)) == pytest.approx(
        (128, 128, 128), abs=2
    )


def test_moving_the_focal_point_remakes_the_crops_and_removes_their_old_files(
    media, django_capture_on_commit_callbacks
):
    photo = photo_of(900, 400)
    build_renditions(photo)
    old_card = renditions_of(photo, "card")[0]
    old_full = renditions_of(photo, "full")[0]
    photo.focal_x = 10
    photo.save()

    with django_capture_on_commit_callbacks(execute=True):
        result = build_renditions(Photo.objects.get(pk=photo.pk))

    new_card = renditions_of(photo, "card")[0]
    # The 600×400 crop: card at 320 and 480, lead at 480, og at 761; each WebP and JPEG but og.
    assert result.created == 2 * 2 + 2 * 1 + 1
    assert new_card.pk != old_card.pk and not (media / old_card.file.name).exists()
    assert renditions_of(photo, "full")[0].pk == old_full.pk
    assert (media / old_full.file.name).exists()


def test_deleting_a_photo_removes_its_rendition_files(media, django_capture_on_commit_callbacks):
    photo = photo_of(640, 480)
    build_renditions(photo)
    assert rendition_files(media)

    with django_capture_on_commit_callbacks(execute=True):
        photo.delete()

    assert rendition_files(media) == []


def test_the_unique_constraint_refuses_a_second_row_for_the_same_rendition():
    photo = photo_of(640, 480)
    build_renditions(photo)
    existing = renditions_of(photo, "card")[0]

    with pytest.raises(IntegrityError), transaction.atomic():
        PhotoRendition.objects.create(
            photo=photo,
            spec=existing.spec,
            width=existing.width,
            height=existing.height,
            format=existing.format,
            source_key=existing.source_key,
            file="renditions/duplicate.jpg",
        )


def test_a_builder_that_loses_the_race_returns_the_winners_row_and_removes_its_file(media):
    photo = photo_of(640, 480)
    build_renditions(photo)
    winner = renditions_of(photo, "card", "webp")[0]
    files = rendition_files(media)

    found, created = _store(
        photo, SPECS["card"], (winner.width, winner.height), "webp", b"late copy"
    )

    assert (found.pk, created) == (winner.pk, False)
    assert rendition_files(media) == files


def test_a_photo_gets_its_renditions_when_its_save_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        photo = photo_of(640, 480)
    assert not photo.renditions.exists()

    for callback in callbacks:
        callback()

    assert photo.renditions.filter(spec="card").exists()


def test_the_app_connects_the_build_on_save_at_start_up():
    """Without this the receiver only runs where something happens to import the module."""
    code = (
        "import sys, django; django.setup(); "
        "sys.exit(0 if 'articles.renditions' in sys.modules else 1)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.test_settings"}
    finished = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], env=env, cwd=Path(__file__).parent.parent, check=False
    )

    assert finished.returncode == 0, "ArticlesConfig.ready() must import articles.renditions"


@pytest.mark.parametrize("damage", ["garbage", "missing"])
def test_a_broken_or_missing_file_is_logged_and_skipped(media, caplog, damage):
    photo = photo_of(640, 480)
    path = Path(photo.image.path)
    if damage == "garbage":
        path.write_bytes(b"\xff\xd8\xff this is not a photo any more")
    else:
        path.unlink()

    result = build_renditions(photo)

    assert result.failed and result.created == 0
    assert not photo.renditions.exists()
    assert any(photo.image.name in message for message in warnings_from(caplog))


def test_a_forced_rebuild_of_a_now_broken_file_keeps_the_renditions_it_had():
    photo = photo_of(640, 480)
    build_renditions(photo)
    count = photo.renditions.count()
    Path(photo.image.path).write_bytes(b"garbage")

    assert build_renditions(photo, force=True).failed
    assert photo.renditions.count() == count


# Template side -------------------------------------------------------------------------------


def test_the_picture_tag_offers_webp_and_jpeg_at_every_width_with_the_jpegs_size():
    photo = photo_of(1000, 700, alt_text=HOSTILE_ALT)
    build_renditions(photo)
    webps = renditions_of(photo, "lead", "webp")
    jpegs = renditions_of(photo, "lead", "jpeg")

    html = render('{% picture photo "lead" sizes="(min-width: 48rem) 46rem, 100vw" %}', photo=photo)

    webp_srcset = ", ".join(f"{r.file.url} {r.width}w" for r in webps)
    jpeg_srcset = ", ".join(f"{r.file.url} {r.width}w" for r in jpegs)
    assert html.startswith("<picture>") and html.rstrip().endswith("</picture>")
    assert f'<source type="image/webp" srcset="{webp_srcset}"' in html
    assert f'src="{jpegs[-1].file.url}" srcset="{jpeg_srcset}"' in html
    assert html.count('sizes="(min-width: 48rem) 46rem, 100vw"') == 2
    assert f'width="{jpegs[-1].width}" height="{jpegs[-1].height}"' in html
    assert 'loading="lazy" decoding="async"' in html


def test_the_picture_tag_escapes_the_alt_text():
    photo = photo_of(640, 480, alt_text=HOSTILE_ALT)
    build_renditions(photo)

    html = render('{% picture photo "card" %}', photo=photo)

    assert "<script>" not in html
    assert 'alt="Дом &quot;у реки&quot; &lt;script&gt;alert(1)&lt;/script&gt; &amp; сад"' in html


def test_the_lead_photo_above_the_fold_loads_eagerly():
    photo = photo_of(640, 480)
    build_renditions(photo)

    html = render('{% picture photo "lead" loading="eager" %}', photo=photo)

    assert 'loading="eager"' in html and 'loading="lazy"' not in html


def test_the_picture_tag_reads_prefetched_renditions_without_a_query(
    django_assert_num_queries,
):
    for _ in range(3):
        photo = photo_of(640, 480)
        build_renditions(photo)
        ArticleFactory(main_photo=photo)
    template = Template(
        '{% load photos %}{% for a in articles %}{% picture a.main_photo "card" %}{% endfor %}'
    )

    # 1: stories joined to their photos; 2: the renditions of all those photos.
    with django_assert_num_queries(2):
        articles = list(
            Article.objects.select_related("main_photo").prefetch_related(
                prefetch_renditions("main_photo__renditions")
            )
        )
    with django_assert_num_queries(0):
        html = template.render(Context({"articles": articles}))

    assert html.count("<picture>") == 3


def test_a_photo_without_renditions_shows_the_placeholder_and_logs_a_warning(caplog):
    photo = photo_of(900, 600, alt_text=HOSTILE_ALT)
    Path(photo.image.path).write_bytes(b"garbage")
    build_renditions(photo)

    html = render('{% picture photo "lead" %}', photo=photo)

    assert "<picture>" not in html
    assert "img/photo-placeholder.svg" in html
    assert 'alt="Дом &quot;у реки&quot; &lt;script&gt;' in html
    assert 'width="800" height="533"' in html  # the shape the renditions will have
    assert any("placeholder" in message for message in warnings_from(caplog))


def test_renditions_of_a_replaced_file_are_not_shown():
    photo = photo_of(640, 480)
    build_renditions(photo)
    photo.image = ContentFile(make_image_bytes(640, 480), name="photo.jpg")
    photo.save()

    assert "img/photo-placeholder.svg" in render('{% picture photo "card" %}', photo=photo)


def test_no_photo_renders_nothing():
    assert render('{% picture photo "card" %}', photo=None).strip() == ""


def test_an_unknown_size_is_a_template_error():
    photo = photo_of(640, 480)

    with pytest.raises(TemplateSyntaxError):
        render('{% picture photo "huge" %}', photo=photo)


def test_the_open_graph_rendition_gives_its_url_and_size():
    photo = photo_of(1220, 640)
    build_renditions(photo)
    og = renditions_of(photo, "og")[0]

    assert rendition_url(photo, "og") == RenditionURL(og.file.url, 1200, 630)
    html = render(
        '{% rendition_url photo "og" as og %}{{ og.url }} {{ og.width }}×{{ og.height }}',
        photo=photo,
    )
    assert html == f"{og.file.url} 1200×630"


def test_without_an_open_graph_rendition_there_is_no_url(caplog):
    photo = photo_of(640, 480)

    assert rendition_url(photo, "og") is None
    assert rendition_url(None, "og") is None
    assert warnings_from(caplog)


# The command ---------------------------------------------------------------------------------


def test_the_command_builds_only_missing_renditions_and_reports_counts(media):
    built, fresh, broken = photo_of(640, 480), photo_of(640, 480), photo_of(640, 480)
    build_renditions(built)
    per_photo = built.renditions.count()
    Path(broken.image.path).write_bytes(b"garbage")
    out = StringIO()

    call_command("build_renditions", stdout=out)

    assert fresh.renditions.count() == per_photo
    assert out.getvalue().strip() == (
        f"Фотографий: 3, создано копий: {per_photo}, пропущено фото с негодным файлом: 1."
    )


def test_the_command_with_force_remakes_every_rendition(django_capture_on_commit_callbacks):
    photo = photo_of(640, 480)
    build_renditions(photo)
    old = set(photo.renditions.values_list("pk", flat=True))
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("build_renditions", "--force", stdout=out)

    new = set(photo.renditions.values_list("pk", flat=True))
    assert len(new) == len(old) and not new & old
    assert f"создано копий: {len(new)}," in out.getvalue()


def test_the_command_is_quiet_at_verbosity_zero(capsys):
    photo_of(640, 480)
    out = StringIO()

    call_command("build_renditions", verbosity=0, stdout=out)

    assert out.getvalue() == ""
    assert capsys.readouterr().err == ""
