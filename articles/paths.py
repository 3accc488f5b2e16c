"""Public addresses of stories, regions, tags and authors, formatted without `reverse()`.

A listing links to sixty-odd stories, regions and tags, and `reverse()` costs tens of
microseconds a link. The URLconf (articles/urls.py) stays the one source of truth: each pattern
is reversed once, with placeholders, into a format string, per URLconf and script prefix.
"""

import functools

from django.urls import get_script_prefix, get_urlconf, reverse

# Values no real argument has (slugs are lower case; no story id is this big), swapped for
# format fields after reversing.
_PLACEHOLDERS = {
    "article_detail": {"region": "0region0", "pk": 9876543210123, "slug": "0slug0"},
    "region_detail": {"region": "0region0"},
    "tag_detail": {"tag": "0tag0"},
    "author_detail": {"author": "0author0"},
}


@functools.cache
def _formats(urlconf, script_prefix: str) -> dict[str, str]:
    formats = {}
    for name, placeholders in _PLACEHOLDERS.items():
        path = reverse(f"articles:{name}", kwargs=placeholders, urlconf=urlconf)
        path = path.replace("{", "{{").replace("}", "}}")
        for argument, value in placeholders.items():
            path = path.replace(str(value), f"{{{argument}}}")
        formats[name] = path
    return formats


@functools.cache
def _fixed(urlconf, script_prefix: str) -> dict[str, str]:
    names = ("home", "search", "site_feed", "site_full_text_feed")
    return {name: reverse(f"articles:{name}", urlconf=urlconf) for name in names}


def site_paths() -> dict[str, str]:
    """The addresses every page's header and footer link to, by URL name."""
    return _fixed(get_urlconf(), get_script_prefix())


def _format(name: str) -> str:
    return _formats(get_urlconf(), get_script_prefix())[name]


def story_path(region_slug: str, pk: int, slug: str) -> str:
    return _format("article_detail").format(region=region_slug, pk=pk, slug=slug)


def region_path(slug: str) -> str:
    return _format("region_detail").format(region=slug)


def tag_path(slug: str) -> str:
    return _format("tag_detail").format(tag=slug)


def author_path(slug: str) -> str:
    return _format("author_detail").format(author=slug)
