"""Template filters every public page shares: the dateline and the body's output sanitizer."""

from django import template
from django.utils.safestring import mark_safe

from ..dates import format_dateline
from ..sanitizer import sanitize_html

register = template.Library()


@register.filter
def dateline(article) -> str:
    """The story's publication time on its region's clock: `27 мар 2019, 15:15`."""
    if article.published_at is None:
        return ""
    return format_dateline(article.published_at, article.region.time_zone)


@register.filter
def sanitized(html: str) -> str:
    """Stored bodies were sanitized on save; this second pass guards rows written around the ORM."""
    return mark_safe(sanitize_html(html))  # noqa: S308 - the output of the allow-list sanitizer
