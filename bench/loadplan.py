"""What the load test's readers and editors work on, picked from its database and printed as JSON.

Run with the load test's environment (`python -m bench.loadplan`, as bench/loadtest.py does):
- the "breaking" stories, the network's newest, which most story reads go to;
- a sample of the other published stories, the long tail of story reads (mostly not cached);
- the active regions, the network feed and each region's feed, and the search words
  (bench/probe.py's, from no match to every story);
- two editors from the demo accounts (articles/demo/accounts.py), each at the desk of a region of
  its own: the regional editor in the demo region, the chief editor in the busiest other one.
  Each starts by publishing a story, then works on it: the region's newest, which its region page
  and the home page show; only its own editor publishes in a region, so it stays on both pages.
"""

import json
import os
import random

import django

from bench.probe import SEARCH_QUERIES

BREAKING = 6
TAIL_SAMPLE = 3000


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()

    from django.db.models import Count
    from django.urls import reverse

    from articles.demo import accounts
    from articles.models import Article, Region

    published = Article.objects.published()
    newest = published.newest_first().select_related("region")
    regions = list(Region.objects.active().annotate(stories=Count("articles")).order_by("pk"))
    demo_region = next(region for region in regions if region.slug == accounts.DEMO_REGION)
    busiest = max((r for r in regions if r is not demo_region), key=lambda r: r.stories)
    editors = []
    for account, region in (
        (accounts.REGIONAL_EDITOR, demo_region),
        (accounts.CHIEF_EDITOR, busiest),
    ):
        editors.append(
            {
                "username": account.username,
                "region": {"pk": region.pk, "slug": region.slug, "path": region.get_absolute_url()},
            }
        )
    pks = list(published.values_list("pk", flat=True))
    sample = random.Random(9).sample(pks, min(TAIL_SAMPLE, len(pks)))
    tail = published.filter(pk__in=sample).select_related("region")
    print(
        json.dumps(
            {
                "breaking": [story.get_absolute_url() for story in newest[:BREAKING]],
                "stories": [story.get_absolute_url() for story in tail],
                "regions": [region.get_absolute_url() for region in regions],
                "feeds": [
                    reverse("articles:site_feed"),
                    *(reverse("articles:region_feed", args=[r.slug]) for r in regions),
                ],
                "searches": [q for name, q in SEARCH_QUERIES.items() if name != "word + region"],
                "editors": editors,
                "password": accounts.DEMO_PASSWORD,
                "published": len(pks),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
