"""Prints, as JSON, one address of every public page type of the demo site, for the audit.

Run with the audit's settings after `seed_demo`: the story chosen has a photo, teasers, tags and
a correction (added here: the demo has none, and the corrections block is part of the page).
"""

import datetime
import json
import sys
from urllib.parse import quote

import django


def main() -> None:
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Q

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
    day = archive_day(region, published.in_region(region))
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


def archive_day(region, stories) -> datetime.date:
    """A day of the region with the same five stories whenever the audit runs.

    The demo dates its stories back from the moment it runs, so any calendar day holds more or
    fewer of them by the time of day; the screenshots would change with the clock. The region's
    five oldest stories move to one day a year before its newest (staying its oldest, so no
    other page's order changes), at 09:30 to 13:30 on its clock.
    """
    from django.utils import timezone

    newest = timezone.localtime(stories.newest_first().first().published_at, region.zone)
    day = newest.date() - datetime.timedelta(days=365)
    oldest = list(stories.order_by("published_at", "id").values_list("pk", flat=True)[:5])
    for hour, pk in enumerate(oldest, start=9):
        moment = datetime.datetime.combine(day, datetime.time(hour, 30), tzinfo=region.zone)
        stories.model.objects.filter(pk=pk).update(published_at=moment, updated_at=moment)
    return day


if __name__ == "__main__":
    main()
