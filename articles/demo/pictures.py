"""The demo's pictures, drawn with Pillow: landscapes for the photo library, byline portraits.

Everything is drawn from the caller's `random.Random`, so the same seed redraws the same pictures.
"""

import colorsys
import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter

from .words import _words


@dataclass(frozen=True)
class _Mood:
    phrase: str  # «на закате», for alt text and captions
    top: tuple  # sky colours as (hue°, saturation, lightness)
    bottom: tuple
    light: tuple  # the sun or the moon
    night: bool = False


MOODS = (
    _Mood("на рассвете", (220, 0.45, 0.55), (25, 0.8, 0.78), (40, 0.95, 0.88)),
    _Mood("в полдень", (210, 0.65, 0.45), (200, 0.55, 0.82), (50, 1.0, 0.96)),
    _Mood("на закате", (255, 0.45, 0.32), (18, 0.85, 0.62), (32, 1.0, 0.72)),
    _Mood("в сумерках", (232, 0.5, 0.2), (285, 0.3, 0.5), (48, 0.35, 0.9), night=True),
    _Mood("ночью", (228, 0.6, 0.07), (222, 0.45, 0.24), (55, 0.2, 0.92), night=True),
    _Mood("в тумане", (200, 0.12, 0.72), (200, 0.08, 0.88), (45, 0.25, 0.95)),
    _Mood("зимним днём", (205, 0.35, 0.68), (190, 0.2, 0.93), (45, 0.3, 0.97)),
)


def _rgb(hue: float, saturation: float, lightness: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hls_to_rgb((hue % 360) / 360, min(max(lightness, 0), 1), saturation)
    return round(r * 255), round(g * 255), round(b * 255)


def _jitter(rng: random.Random, hsl: tuple) -> tuple[int, int, int]:
    hue, saturation, lightness = hsl
    return _rgb(hue + rng.uniform(-14, 14), saturation, lightness + rng.uniform(-0.05, 0.05))


def _mix(a: tuple, b: tuple, t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


@dataclass
class _Canvas:
    """An image being drawn and the colours of its scene."""

    image: Image.Image
    rng: random.Random
    mood: _Mood
    sky_top: tuple
    sky_bottom: tuple
    light: tuple
    land: tuple

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size

    @property
    def draw(self) -> ImageDraw.ImageDraw:
        return ImageDraw.Draw(self.image)


def _gradient(size: tuple[int, int], top: tuple, bottom: tuple) -> Image.Image:
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def _glow(canvas: _Canvas, center: tuple[float, float], radius: float) -> None:
    """A soft halo around the sun or moon, blurred small and scaled up to stay cheap."""
    w, h = canvas.size
    small = Image.new("L", (w // 8, h // 8), 0)
    x, y, r = center[0] / 8, center[1] / 8, radius * 3 / 8
    ImageDraw.Draw(small).ellipse((x - r, y - r, x + r, y + r), fill=150)
    mask = small.filter(ImageFilter.GaussianBlur(r / 2)).resize((w, h), Image.Resampling.BILINEAR)
    canvas.image.paste(Image.new("RGB", (w, h), canvas.light), mask=mask)


def _sun(canvas: _Canvas, horizon: float) -> None:
    w, _ = canvas.size
    rng = canvas.rng
    x, y, r = rng.uniform(0.15, 0.85) * w, horizon * rng.uniform(0.35, 0.85), w * 0.035
    _glow(canvas, (x, y), r)
    canvas.draw.ellipse((x - r, y - r, x + r, y + r), fill=canvas.light)
    if canvas.mood.night:
        for _ in range(160):
            sx, sy = rng.uniform(0, w), rng.uniform(0, horizon * 0.8)
            canvas.draw.point((sx, sy), fill=_mix(canvas.light, canvas.sky_top, rng.random()))


def _ridge(rng: random.Random, w: int, base: float, amplitude: float, roughness: float) -> list:
    """A skyline of hills or peaks by midpoint displacement, as polygon points."""
    n = 128
    ys = [0.0] * (n + 1)
    ys[0], ys[n] = rng.uniform(-1, 1), rng.uniform(-1, 1)
    step, scale = n, 1.0
    while step > 1:
        half = step // 2
        for i in range(half, n, step):
            ys[i] = (ys[i - half] + ys[i + half]) / 2 + rng.uniform(-scale, scale)
        step, scale = half, scale * roughness
    return [(w * i / n, base - amplitude * y) for i, y in enumerate(ys)]


def _land_layers(canvas: _Canvas, count: int, top: float, roughness: float) -> list[list]:
    """Layers of land from far (hazy, sky-coloured) to near (dark); returns their ridge lines."""
    w, h = canvas.size
    ridges = []
    for i in range(count):
        t = (i + 1) / count
        line = _ridge(
            canvas.rng, w, h * (top + (0.9 - top) * t * 0.8), h * (0.14 - 0.06 * t), roughness
        )
        colour = _mix(canvas.sky_bottom, canvas.land, 0.3 + 0.7 * t)
        canvas.draw.polygon([(0, h), *line, (w, h)], fill=_mix(colour, (0, 0, 0), 0.35 * t))
        ridges.append(line)
    return ridges


def _draw_mountains(canvas: _Canvas) -> None:
    _sun(canvas, canvas.size[1] * 0.5)
    _land_layers(canvas, canvas.rng.randint(3, 5), 0.35, roughness=0.55)


def _draw_forest(canvas: _Canvas) -> None:
    w, h = canvas.size
    rng = canvas.rng
    _sun(canvas, h * 0.55)
    for depth, ridge in enumerate(_land_layers(canvas, 3, 0.5, roughness=0.4), start=1):
        tree_height = h * 0.05 * depth
        colour = _mix(canvas.land, (0, 0, 0), 0.25 * depth)
        for x, y in ridge[:: max(1, 5 - depth)]:
            x, y = x + rng.uniform(-8, 8), y + rng.uniform(0, tree_height * 0.3)
            for tier in range(3):
                top = y - tree_height * (1 - tier * 0.28)
                half = tree_height * (0.18 + tier * 0.06)
                base = top + tree_height * 0.45
                canvas.draw.polygon([(x, top), (x - half, base), (x + half, base)], fill=colour)


def _draw_skyline(canvas: _Canvas) -> None:
    w, h = canvas.size
    rng = canvas.rng
    horizon = int(h * rng.uniform(0.6, 0.7))
    _sun(canvas, horizon)
    for row in (0, 1):
        x = -rng.randint(0, w // 30)
        colour = _mix(canvas.sky_bottom, canvas.land, 0.55 + 0.45 * row)
        while x < w:
            bw, bh = rng.randint(w // 40, w // 13), rng.randint(h // 12, int(h / (2.6 - row * 0.4)))
            canvas.draw.rectangle((x, horizon - bh, x + bw, horizon), fill=colour)
            if row:
                _windows(canvas, (x, horizon - bh, x + bw, horizon))
            x += bw + rng.randint(-bw // 4, w // 90)
    reflection = canvas.image.crop((0, 2 * horizon - h, w, horizon))
    reflection = reflection.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    water = Image.new("RGB", reflection.size, _mix(canvas.sky_top, (0, 0, 0), 0.4))
    canvas.image.paste(Image.blend(reflection, water, 0.5), (0, horizon))
    for _ in range(120):
        y, x = rng.uniform(horizon, h), rng.uniform(0, w)
        canvas.draw.line((x, y, x + rng.uniform(20, 120), y), fill=canvas.sky_bottom, width=1)


def _windows(canvas: _Canvas, box: tuple) -> None:
    x0, y0, x1, y1 = box
    rng, step = canvas.rng, max(6, canvas.size[0] // 160)
    lit = (255, 214, 140) if canvas.mood.night else _mix(canvas.sky_bottom, (255, 255, 255), 0.3)
    share = 0.45 if canvas.mood.night else 0.15
    for wy in range(int(y0) + step, int(y1) - step, step * 2):
        for wx in range(int(x0) + step // 2, int(x1) - step, step * 2):
            if rng.random() < share:
                canvas.draw.rectangle((wx, wy, wx + step, wy + step), fill=lit)


def _draw_sea(canvas: _Canvas) -> None:
    w, h = canvas.size
    rng = canvas.rng
    horizon = int(h * rng.uniform(0.5, 0.62))
    sun_x = rng.uniform(0.2, 0.8) * w
    _glow(canvas, (sun_x, horizon * 0.8), w * 0.035)
    canvas.draw.ellipse(
        (
            sun_x - w * 0.035,
            horizon * 0.8 - w * 0.035,
            sun_x + w * 0.035,
            horizon * 0.8 + w * 0.035,
        ),
        fill=canvas.light,
    )
    deep = _mix(canvas.sky_top, (10, 30, 60), 0.5)
    canvas.image.paste(_gradient((w, h - horizon), canvas.sky_bottom, deep), (0, horizon))
    cape = _ridge(rng, w // 2, horizon, h * 0.05, 0.5)
    offset = 0 if rng.random() < 0.5 else w // 2
    canvas.draw.polygon(
        [
            (offset, horizon),
            *[(x + offset, min(y, horizon)) for x, y in cape],
            (offset + w // 2, horizon),
        ],
        fill=_mix(canvas.land, canvas.sky_bottom, 0.4),
    )
    for _ in range(int(h * 0.6)):
        y = rng.uniform(horizon, h)
        spread = (y - horizon) / (h - horizon)
        x = sun_x + rng.gauss(0, w * (0.02 + 0.12 * spread))
        length = rng.uniform(10, 60) * (0.5 + spread)
        colour = _mix(canvas.light, deep, min(1.0, abs(x - sun_x) / (w * 0.25)))
        canvas.draw.line((x - length / 2, y, x + length / 2, y), fill=colour, width=2)


def _draw_abstract(canvas: _Canvas) -> None:
    w, h = canvas.size
    rng = canvas.rng
    base = rng.uniform(0, 360)
    colours = [_rgb(base + shift, 0.6, rng.uniform(0.35, 0.7)) for shift in (0, 30, 180, 210)]
    canvas.image.paste(_gradient((w, h), colours[0], colours[2]))
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(rng.randint(14, 26)):
        colour = (*rng.choice(colours), rng.randint(80, 190))
        x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.03, 0.25) * w
        shape = rng.choice(("circle", "rectangle", "triangle", "line"))
        if shape == "circle":
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        elif shape == "rectangle":
            draw.rectangle((x - r, y - r / 2, x + r, y + r / 2), fill=colour)
        elif shape == "triangle":
            draw.polygon([(x, y - r), (x - r, y + r), (x + r * rng.uniform(0.3, 1), y + r)], colour)
        else:
            draw.line((x - r, y - r, x + r, y + r), fill=colour, width=max(4, int(r / 6)))
    canvas.image.paste(Image.alpha_composite(canvas.image.convert("RGBA"), layer).convert("RGB"))


# (draw, land hue, alt texts with {mood}; the abstract scene ignores the mood)
SCENES = (
    (_draw_mountains, 215, _words("Горные хребты {mood} | Горы {mood}: гряда за грядой")),
    (_draw_skyline, 240, _words("Силуэт города {mood} с отражением в реке | Набережная {mood}")),
    (_draw_sea, 200, _words("Море и солнечная дорожка {mood} | Залив {mood}")),
    (_draw_forest, 130, _words("Хвойный лес на холмах {mood} | Тайга {mood}")),
    (_draw_abstract, 0, _words("Абстрактная композиция из цветных фигур | Графическая заставка")),
)


def _new_canvas(rng: random.Random, size: tuple[int, int], land_hue: float) -> _Canvas:
    mood = rng.choice(MOODS)
    top, bottom = _jitter(rng, mood.top), _jitter(rng, mood.bottom)
    land = _rgb(land_hue + rng.uniform(-25, 25), rng.uniform(0.2, 0.5), rng.uniform(0.2, 0.4))
    image = _gradient(size, top, bottom)
    return _Canvas(image, rng, mood, top, bottom, _jitter(rng, mood.light), land)


def _finish(image: Image.Image, rng: random.Random) -> bytes:
    """Film grain so the JPEG looks photographed rather than flat, then the encoding."""
    w, h = (side // 2 + 1 for side in image.size)  # from our rng, so a seed redraws the same
    grain = Image.frombytes("L", (w, h), rng.randbytes(w * h)).resize(image.size).convert("RGB")
    image = Image.blend(image, grain, 0.04)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, optimize=True, progressive=True)
    return buffer.getvalue()


def draw_landscape(rng: random.Random, index: int, width: int) -> tuple[bytes, str]:
    """A JPEG of one of the scenes, cycling through them, and its alt text."""
    draw, land_hue, alts = SCENES[index % len(SCENES)]
    canvas = _new_canvas(rng, (width, round(width * 2 / 3)), land_hue)
    draw(canvas)
    return _finish(canvas.image, rng), rng.choice(alts).format(mood=canvas.mood.phrase)


def draw_portrait(rng: random.Random, width: int, female: bool) -> bytes:
    """A studio-style silhouette: not a real face, but a believable byline picture."""
    w, h = width, round(width * 1.25)
    image = _gradient((w, h), _rgb(rng.uniform(0, 360), 0.2, 0.75), _rgb(0, 0, 0.35))
    draw = ImageDraw.Draw(image)
    skin = _rgb(rng.uniform(18, 34), rng.uniform(0.35, 0.55), rng.uniform(0.55, 0.8))
    hair = _rgb(rng.uniform(15, 40), rng.uniform(0.3, 0.6), rng.uniform(0.1, 0.45))
    if female:
        draw.ellipse((w * 0.24, h * 0.14, w * 0.76, h * 0.75), fill=hair)
    draw.ellipse((w * 0.08, h * 0.72, w * 0.92, h * 1.4), fill=_rgb(rng.uniform(0, 360), 0.4, 0.3))
    draw.rectangle((w * 0.42, h * 0.5, w * 0.58, h * 0.76), fill=_mix(skin, (0, 0, 0), 0.1))
    draw.ellipse((w * 0.3, h * 0.2, w * 0.7, h * 0.62), fill=skin)
    draw.chord((w * 0.29, h * 0.17, w * 0.71, h * 0.52), 180, 360, fill=hair)
    return _finish(image.filter(ImageFilter.GaussianBlur(1)), rng)
