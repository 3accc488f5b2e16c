"""Latin URL slugs from Russian text, and the words a region slug may not take.

One transliteration scheme for the whole site: iuliia's "Wikipedia" scheme (Калининград →
kaliningrad, Щёлково → shchyolkovo), the one Russian readers know from Latin spellings of place
names. Django's own slugify then keeps only [a-z0-9-].
"""

import iuliia
from django.core.exceptions import ValidationError
from django.utils.text import slugify as django_slugify
from django.utils.translation import gettext_lazy as _

SLUG_MAX_LENGTH = 100

# Region slugs are the first segment of public URLs; these words belong to the site itself.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "authors",
        "feed",
        "feeds",
        "media",
        "static",
        "search",
        "tags",
        "sitemap",
        "sitemap.xml",
        "sitemaps",
        "robots.txt",
        "news",
        "preview",
        "previews",
        "login",
        "logout",
        "accounts",
        "account",
        "favicon.ico",
        "assets",
        "rss",
        "amp",
        "www",
        "archive",
        "about",
        "regions",
    }
)


def slugify_ru(text: str, max_length: int = SLUG_MAX_LENGTH) -> str:
    """A Latin slug for Russian (or any) text; empty when nothing transliterable is left."""
    slug = django_slugify(iuliia.WIKIPEDIA.translate(text or ""))
    return slug[:max_length].strip("-")


def validate_not_reserved(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(
            _("Адрес «%(slug)s» занят служебной страницей сайта, выберите другой."),
            code="reserved_slug",
            params={"slug": value},
        )
