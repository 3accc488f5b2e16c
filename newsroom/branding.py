"""The publication's brand as one installation sets it: name, mark file and accent colour.

Read once at start-up by the settings and refused there when it would make an unreadable or
broken masthead: the accent is text and button colour on the page, so it must keep 4.5:1
contrast against white (WCAG AA, what Lighthouse and axe check), and the dark scheme gets a
lighter shade of it computed here rather than a second setting to forget.
"""

import base64
import hashlib
import re
from pathlib import Path, PurePosixPath

from django.core.exceptions import ImproperlyConfigured

DEFAULT_ACCENT = "#0b4f8a"
DEFAULT_LOGO = "img/mark.svg"
LOGO_SUFFIXES = (".svg", ".png", ".webp")
# The page's dark background (static/css/site.css, `--paper` of the dark scheme).
DARK_PAPER = "#121416"
MIN_CONTRAST = 4.5

_HEX = re.compile(r"#[0-9a-fA-F]{6}")


def _channels(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _luminance(colour: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two `#rrggbb` colours, from 1 to 21."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _mix_with_white(colour: str, share: float) -> str:
    return "#" + "".join(f"{round(c + (255 - c) * share):02x}" for c in _channels(colour))


def accent_colours(value: str) -> tuple[str, str]:
    """The accent as given (light scheme) and its shade readable on the dark scheme's paper."""
    value = value.strip() or DEFAULT_ACCENT
    if not _HEX.fullmatch(value):
        raise ImproperlyConfigured(
            f"SITE_ACCENT={value!r}: use a colour as #rrggbb, e.g. {DEFAULT_ACCENT}."
        )
    value = value.lower()
    ratio = contrast(value, "#ffffff")
    if ratio < MIN_CONTRAST:
        raise ImproperlyConfigured(
            f"SITE_ACCENT={value!r} has {ratio:.1f}:1 contrast on white; links and buttons need "
            f"{MIN_CONTRAST}:1 — choose a darker shade."
        )
    # The least lightening that reads on the dark paper: the hue stays the brand's.
    for step in range(101):
        dark = _mix_with_white(value, step / 100)
        if contrast(dark, DARK_PAPER) >= MIN_CONTRAST + 0.5:
            break
    return value, dark


def logo_path(value: str, static_dirs: list[Path]) -> str:
    """The mark's path under the static files, as `{% static %}` takes it, checked to exist."""
    value = value.strip() or DEFAULT_LOGO
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or "\\" in value or not path.parts:
        raise ImproperlyConfigured(
            f"SITE_LOGO={value!r}: give a path inside the static files, e.g. {DEFAULT_LOGO}."
        )
    if path.suffix.lower() not in LOGO_SUFFIXES:
        raise ImproperlyConfigured(
            f"SITE_LOGO={value!r}: the mark must be one of {', '.join(LOGO_SUFFIXES)}."
        )
    if not any((directory / path).is_file() for directory in static_dirs):
        searched = ", ".join(str(directory) for directory in static_dirs)
        raise ImproperlyConfigured(f"SITE_LOGO={value!r}: no such file in {searched}.")
    return str(path)


def brand_style(accent: str, accent_dark: str) -> str:
    """The one inline stylesheet of public pages: the installation's accent colours."""
    return f":root{{--brand:{accent};--brand-on-dark:{accent_dark}}}"


def csp_hash(text: str) -> str:
    """The Content Security Policy source that allows exactly this inline text."""
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"
