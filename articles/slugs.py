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
    return canonical_slug(iuliia.WIKIPEDIA.translate(text or ""), max_length=max_length)


def canonical_slug(slug: str, max_length: int = SLUG_MAX_LENGTH) -> str:
    """The one form of a slug: [a-z0-9] words joined by single dashes, cut between words.

    An editor's `Storm--Update-` and the generator's `storm-update` must be one address, and a
    long headline's slug ends on a whole word (`…-na-teplotrasse`, not `…-na-teplotrasse-v-ts`).
    """
    words = [word for word in django_slugify(slug).replace("_", "-").split("-") if word]
    kept, length = [], 0
    for word in words:
        needed = length + len(word) + (1 if kept else 0)
        if needed > max_length:
            break
        kept.append(word)
        length = needed
    if not kept and words:  # a single word longer than the limit: nothing to cut between
        return words[0][:max_length]
    return "-".join(kept)


def validate_not_reserved(value: str) -> None:
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(
            _("Адрес «%(slug)s» занят служебной страницей сайта, выберите другой."),
            code="reserved_slug",
            params={"slug": value},
        )
