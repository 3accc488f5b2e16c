"""Photo tags for public pages: they read renditions that exist and never make one."""

from django import template

from ..models import Photo
from ..renditions import SPECS, Format, RenditionSpec, current_renditions, logger
from ..renditions import rendition_url as _rendition_url

register = template.Library()

LOADING_VALUES = ("lazy", "eager")


@register.inclusion_tag("articles/includes/picture.html")
def picture(photo: Photo | None, spec_name: str, sizes: str = "100vw", loading: str = "lazy"):
    """`{% picture photo "lead" sizes="…" loading="eager" %}`: WebP sources, a JPEG fallback.

    Without renditions (a broken file, a build still to run) the placeholder keeps the page whole.
    """
    if spec_name not in SPECS:
        raise template.TemplateSyntaxError(f"Unknown rendition size {spec_name!r}.")
    if loading not in LOADING_VALUES:
        raise template.TemplateSyntaxError(f"loading must be one of {LOADING_VALUES}.")
    if photo is None:
        return {}
    context = {"alt": photo.alt_text, "sizes": sizes, "loading": loading}
    renditions = current_renditions(photo, spec_name)
    jpegs = [r for r in renditions if r.format == Format.JPEG]
    webps = [r for r in renditions if r.format == Format.WEBP]
    if not jpegs:
        logger.warning(
            "Photo %s has no %r renditions; showing the placeholder", photo.pk, spec_name
        )
        width, height = _placeholder_size(photo, spec_name)
        return context | {"placeholder": True, "width": width, "height": height}
    # The widest JPEG sets width and height: the browser reserves its shape before loading.
    return context | {
        "src": jpegs[-1].file.url,
        "width": jpegs[-1].width,
        "height": jpegs[-1].height,
        "srcset": _srcset(jpegs),
        "webp_srcset": _srcset(webps),
    }


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
