"""Photo tags for public pages: they read renditions that exist and never make one."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..models import Photo
from ..renditions import PLACEHOLDER, SPECS, Format, RenditionSpec, current_renditions, logger
from ..renditions import rendition_url as _rendition_url

register = template.Library()

LOADING_VALUES = ("lazy", "eager")


# Built in Python rather than an included template: a listing shows twenty of these, and a
# sub-template render per card was a measurable share of the page's cost.
_SOURCE = '<source type="image/webp" srcset="{}" sizes="{}">'
_IMG = (
    '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" loading="{}"'
    ' decoding="async"{}>'
)
# The top story's photo is the largest thing a front page paints: asked for before the rest.
_PRIORITY = mark_safe(' fetchpriority="high"')
_PLACEHOLDER = '<img src="{}" width="{}" height="{}" alt="{}" loading="{}" decoding="async">'


@register.simple_tag
def picture(
    photo: Photo | None,
    spec_name: str,
    sizes: str = "100vw",
    loading: str = "lazy",
    priority: bool = False,
):
    """`{% picture photo "lead" sizes="…" loading="eager" %}`: WebP sources, a JPEG fallback.

    `priority=True` marks the page's main image (`fetchpriority="high"`).

    Without renditions (a broken file, a build still to run) the placeholder keeps the page whole.
    """
    if spec_name not in SPECS:
        raise template.TemplateSyntaxError(f"Unknown rendition size {spec_name!r}.")
    if loading not in LOADING_VALUES:
        raise template.TemplateSyntaxError(f"loading must be one of {LOADING_VALUES}.")
    if photo is None:
        return ""
    renditions = current_renditions(photo, spec_name)
    jpegs = [r for r in renditions if r.format == Format.JPEG]
    webps = [r for r in renditions if r.format == Format.WEBP]
    if not jpegs:
        logger.warning(
            "Photo %s has no %r renditions; showing the placeholder", photo.pk, spec_name
        )
        width, height = _placeholder_size(photo, spec_name)
        placeholder = static(PLACEHOLDER)
        return format_html(_PLACEHOLDER, placeholder, width, height, photo.alt_text, loading)
    # The widest JPEG sets width and height: the browser reserves its shape before loading.
    widest = jpegs[-1]
    source = format_html(_SOURCE, _srcset(webps), sizes) if webps else ""
    img = format_html(
        _IMG,
        widest.file.url,
        _srcset(jpegs),
        sizes,
        widest.width,
        widest.height,
        photo.alt_text,
        loading,
        _PRIORITY if priority else "",
    )
    return format_html("<picture>{}{}</picture>", source, img)


@register.simple_tag
def rendition_url(photo: Photo | None, spec_name: str):
    """`{% rendition_url photo "og" as og %}`: `og.url`, `og.width`, `og.height`, or None."""
    return _rendition_url(photo, spec_name)


def _srcset(renditions) -> str:
    return ", ".join(f"{r.file.url} {r.width}w" for r in renditions)


def _placeholder_size(photo: Photo, spec_name: str) -> tuple[int, int]:
    """The size the photo's widest rendition would have, so the layout stays as it will be."""
    spec = SPECS[spec_name]
    sizes = spec.sizes(photo.width, photo.height) or spec.sizes(*_nominal_size(spec))
    return sizes[-1]


def _nominal_size(spec: RenditionSpec) -> tuple[int, int]:
    # A photo with no known size: the spec's own ratio, or a camera's 3:2.
    ratio = spec.crop or (3, 2)
    width = spec.widths[-1]
    return width, round(width * ratio[1] / ratio[0])
