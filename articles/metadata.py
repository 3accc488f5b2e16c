"""What machines read in a story's head: schema.org NewsArticle for search engines."""

from django.conf import settings
from django.templatetags.static import static

from .dates import machine_time


def absolute_url(path: str) -> str:
    """A site path on the configured public address, never on the request's Host header.

    URLs that are absolute already (media on a CDN) pass through unchanged."""
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL + path


def news_article(article, authors, image, corrections=()) -> dict:
    """The NewsArticle JSON-LD of a story; `image` is its Open Graph rendition or None.

    `corrections` are the story's correction notes, newest first, as the page shows them."""
    zone = article.region.time_zone
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": absolute_url(article.get_absolute_url()),
        "headline": article.headline[:110],
        "description": article.seo_description or article.lead,
        "datePublished": machine_time(article.published_at, zone),
        "dateModified": machine_time(article.last_changed, zone),
        "inLanguage": "ru",
        "author": [
            # An inactive author has no page to point to.
            {"@type": "Person", "name": author.name}
            | ({"url": absolute_url(author.get_absolute_url())} if author.is_active else {})
            for author in authors
        ],
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": settings.SITE_NAME,
            "url": absolute_url("/"),
            "logo": {
                "@type": "ImageObject",
                "url": absolute_url(static("img/logo.png")),
                "width": 600,
                "height": 60,
            },
        },
        "articleSection": article.region.name,
    }
    if corrections:
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": correction.text,
                "datePublished": machine_time(correction.created_at, zone),
            }
            for correction in corrections
        ]
    if image is not None:
        data["image"] = [
            {
                "@type": "ImageObject",
                "url": absolute_url(image.url),
                "width": image.width,
                "height": image.height,
            }
        ]
    return data
