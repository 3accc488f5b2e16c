"""The visual check: today's screenshots against the last accepted ones, with Pillow.

Accepted screenshots are kept in the repository as small grey thumbnails (a quarter of the width,
light scheme only), which is enough to see a block move, vanish or change size, and small
enough to keep in git. The demo's stories carry times that follow the clock ("15 минут назад"),
so a comparison allows small differences: a page fails when its height changes by more than
HEIGHT_TOLERANCE or when more than PIXEL_TOLERANCE of its thumbnail's pixels differ clearly.
`make audit-accept` makes today's screenshots the accepted ones.
"""

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops

ACCEPTED_DIR = Path(__file__).resolve().parent / "accepted"
SCALE = 4
HEIGHT_TOLERANCE = 0.04
# A pixel "differs clearly" past this many grey levels (of 255): anti-aliasing stays under it.
PIXEL_THRESHOLD = 48
PIXEL_TOLERANCE = 0.03


@dataclass(frozen=True)
class Difference:
    name: str
    message: str


def thumbnail(screenshot: Path) -> Image.Image:
    with Image.open(screenshot) as image:
        grey = image.convert("L")
        size = (max(1, grey.width // SCALE), max(1, grey.height // SCALE))
        return grey.resize(size, Image.Resampling.BOX)


def accept(screenshots: list[Path], accepted_dir: Path = ACCEPTED_DIR) -> list[Path]:
    """Store thumbnails of today's light-scheme screenshots as the accepted ones."""
    accepted_dir.mkdir(exist_ok=True)
    written = []
    for shot in screenshots:
        if shot.stem.endswith("-dark"):
            continue
        target = accepted_dir / shot.name
        thumbnail(shot).save(target, optimize=True)
        written.append(target)
    return written


def compare(
    screenshots: list[Path], diff_dir: Path, accepted_dir: Path = ACCEPTED_DIR
) -> list[Difference]:
    """Each light-scheme screenshot against its accepted thumbnail; a diff image per failure."""
    differences = []
    for shot in screenshots:
        if shot.stem.endswith("-dark"):
            continue
        name = shot.stem
        accepted_path = accepted_dir / shot.name
        if not accepted_path.exists():
            differences.append(
                Difference(name, "no accepted screenshot yet: run `make audit-accept`")
            )
            continue
        current = thumbnail(shot)
        with Image.open(accepted_path) as stored:
            accepted = stored.convert("L")
        if current.width != accepted.width:
            differences.append(
                Difference(
                    name, f"width {accepted.width * SCALE} px became {current.width * SCALE} px"
                )
            )
            continue
        change = abs(current.height - accepted.height) / accepted.height
        if change > HEIGHT_TOLERANCE:
            differences.append(
                Difference(
                    name,
                    f"page height {accepted.height * SCALE} px became "
                    f"{current.height * SCALE} px ({change:.0%}, tolerance "
                    f"{HEIGHT_TOLERANCE:.0%})",
                )
            )
            continue
        height = min(current.height, accepted.height)
        box = (0, 0, current.width, height)
        delta = ImageChops.difference(current.crop(box), accepted.crop(box))
        histogram = delta.histogram()
        differing = sum(histogram[PIXEL_THRESHOLD:]) / (current.width * height)
        if differing > PIXEL_TOLERANCE:
            diff_dir.mkdir(parents=True, exist_ok=True)
            delta.point(lambda level: 255 if level >= PIXEL_THRESHOLD else 0).save(
                diff_dir / f"{name}-diff.png"
            )
            differences.append(
                Difference(
                    name,
                    f"{differing:.1%} of the page differs from the accepted screenshot "
                    f"(tolerance {PIXEL_TOLERANCE:.0%}); see {diff_dir / (name + '-diff.png')}",
                )
            )
    return differences
