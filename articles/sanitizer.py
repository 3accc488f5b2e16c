"""The one sanitizer for story bodies.

Every path that writes a body calls `sanitize_html`: the model field on save (admin, ORM,
management commands, bulk inserts) and the story queryset's `update()` and `bulk_update()`. Pages,
feeds and the desk's comparisons read the stored body as it is: sanitizing costs once per save,
not once per view (a body nested thousands deep takes seconds). It is idempotent, so running it
again on stored text changes nothing; after a change of the allow-list,
`manage.py resanitize_bodies` brings stored bodies to the new one.
"""

import html
import re
from urllib.parse import urlsplit

import nh3
from django.utils.html import strip_tags

from .text import strip_control_characters

ALLOWED_TAGS = frozenset(
    {"p", "br", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "strong", "em", "a"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
# Relative hrefs (earlier-report links to our own stories) are allowed by nh3 on top of these.
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
EXTERNAL_LINK_REL = "noopener noreferrer"

# Tags whose content is never text a reader should see: dropped whole, not unwrapped.
_DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "template",
        "noscript",
        "textarea",
        "select",
        "title",
    }
)

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(_DROPPED_WITH_CONTENT),
    attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    link_rel=None,
    strip_comments=True,
)

# nh3's serializer writes every attribute as name="value" with `"` escaped inside values, so an
# opening <a> tag of its output is matched exactly by this pattern, `>` inside a value included.
_A_TAG = re.compile(r'<a((?:\s[a-z-]+="[^"]*")*)>')
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')


def _is_external(href: str) -> bool:
    parts = urlsplit(href.replace("&amp;", "&"))
    return parts.scheme in {"http", "https"} or href.startswith("//")


def _mark_external_links(match: re.Match) -> str:
    attributes = match.group(1)
    href = dict(_ATTRIBUTE.findall(attributes)).get("href", "")
    if href and _is_external(href):
        return f'<a{attributes} rel="{EXTERNAL_LINK_REL}">'
    return match.group(0)


def sanitize_html(html: str | None) -> str:
    """Reduce rich text to the allow-list; external links get rel="noopener noreferrer"."""
    if not html:
        return ""
    cleaned = _cleaner.clean(strip_control_characters(html))
    return _A_TAG.sub(_mark_external_links, cleaned).strip()


# Where a block of the sanitizer's allow-list opens or closes, the plain text breaks the line;
# inside a block, line breaks and runs of spaces in the source are one space, as a browser shows.
_BLOCK_BOUNDARY = re.compile(r"</?(?:p|h[2-4]|ul|ol|li|blockquote)>|<br>")
_HTML_WHITESPACE = re.compile(r"[ \t\n\r\f]+")


def plain_text(body: str) -> str:
    """A stored (sanitized) story body as plain text: one paragraph, heading or list item a line,
    entities decoded. The markup is nh3's normal form, which the block pattern expects."""
    markup = _HTML_WHITESPACE.sub(" ", body or "")
    text = html.unescape(strip_tags(_BLOCK_BOUNDARY.sub("\n", markup)))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def resanitize_stored(model, *, batch_size: int = 500):
    """Bring every stored body of `model` (a story model, historical in a migration) to the
    allow-list as it is now, in batches by primary key; yields each batch's changed ids.

    Only rows whose body changes are written, and with the plain `update()` of the base manager:
    the text is clean already, and neither `updated_at` nor a revision moves, since no editor
    changed anything (a preview link or an open form stays valid).
    """
    rows = model._base_manager.order_by("pk").values_list("pk", "body")
    last = None
    while True:
        batch = list((rows.filter(pk__gt=last) if last is not None else rows)[:batch_size])
        if not batch:
            return
        last = batch[-1][0]
        changed = {}
        for pk, body in batch:
            clean = sanitize_html(body)
            if clean != (body or ""):
                changed[pk] = clean
        for pk, clean in changed.items():
            model._base_manager.filter(pk=pk).update(body=clean)
        if changed:
            yield sorted(changed)
