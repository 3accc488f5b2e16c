"""Prints, as JSON, one address of every public page type of the demo site, for the audit.

Run with the audit's settings after `seed_demo`: the story chosen has a photo, teasers, tags and
a correction (added here: the demo has none, and the corrections block is part of the page).
"""

import json
import sys
from urllib.parse import quote

import django


def main() -> None:
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Q
    from django.utils import timezone

    from articles.models import Article, Author, Region, Tag, published_q
    from articles.publishing.corrections import add_correction
    from articles.publishing.previews import preview_path

    published = Article.objects.published()
    story = (
        published.filter(main_photo__isnull=False)
        .annotate(teasers=Count("related_links", distinct=True), n_tags=Count("tags"))
        .filter(teasers__gte=2, n_tags__gte=1)
        .order_by("-published_at", "-id")
        .first()
    )
    if not story.corrections.exists():
        editor = get_user_model().objects.filter(is_superuser=True).first()
        add_correction(
            article=story,
            user=editor,
            text="Уточнено время: движение по мосту откроют в 18:00, а не в 16:00.",
        )
    region = (
        Region.objects.active()
        .annotate(stories=Count("articles", filter=Q(articles__in=published)))
        .order_by("-stories", "position")
        .first()
    )
    newest = published.in_region(region).newest_first().first()
    day = timezone.localtime(newest.published_at, region.zone)
    tag = (
        Tag.objects.with_published_stories()
        .annotate(n=Count("tagged_articles"))
        .order_by("-n", "pk")
        .first()
    )
    author = (
        Author.objects.active()
        .filter(photo__isnull=False)
        .annotate(n=Count("bylines"))
        .order_by("-n", "pk")
        .first()
    )
    draft = Article.objects.exclude(published_q()).filter(main_photo__isnull=False).first()
    word = story.headline.split()[-1].strip("«»,.:;!?")
    pages = {
        "home": "/",
        "region": region.get_absolute_url(),
        "day": f"{region.get_absolute_url()}{day:%Y/%m/%d}/",
        "tag": tag.get_absolute_url(),
        "author": author.get_absolute_url(),
        "story": story.get_absolute_url(),
        "search": f"/search/?q={quote(word)}",
        "404": "/net-takoy-stranicy/",
        "preview": preview_path(draft),
    }
    json.dump(pages, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
