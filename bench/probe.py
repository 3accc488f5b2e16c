"""Facts about the benchmark's database that the load run needs, printed as JSON.

Run with the benchmark's environment (`python -m bench.probe`): picks the URLs to load, counts
each page's queries through Django's test client, and times the listing SQL of page 1 and of a
deep page with EXPLAIN ANALYZE, so the run shows where a deep page's cost goes. For the search
table it also gives each benchmark query's URL, how many published stories it matches, and the
EXPLAIN ANALYZE time of the SQL its results page runs.
"""

import json
import os
import sys
from urllib.parse import urlencode

import django

DEEP_PAGE = 500

# What readers type, from none of the stories to every one of them (the seeded texts have no word
# rarer than a district's name). The region is added to the last one.
SEARCH_QUERIES = {
    "no match": "дирижабль",
    "rare word": "Солнечный",
    "common word": "школа",
    "word in most": "жители",
    "word in all": "считает",
    "phrase": '"общественном транспорте"',
    "word + region": "жители",
}
REGION_QUERY = "word + region"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()

    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from articles.models import Article, Author, Region, Tag
    from articles.pagination import PAGE_SIZE

    region = (
        Region.objects.active().annotate(stories=Count("articles")).order_by("-stories").first()
    )
    story = Article.objects.published().newest_first().select_related("region").first()
    if region is None or story is None:
        sys.exit("The benchmark database has no published stories: seed it first.")
    # The busiest tag and author: their pages are full, as on a live site.
    tag = Tag.objects.annotate(stories=Count("tagged_articles")).order_by("-stories").first()
    author = Author.objects.active().annotate(stories=Count("bylines")).order_by("-stories")[0]
    urls = {
        "trivial view": "/__bench__/trivial/",
        "story page": story.get_absolute_url(),
        "home page": "/",
        "region page 1": region.get_absolute_url(),
        f"region page {DEEP_PAGE}": f"{region.get_absolute_url()}?page={DEEP_PAGE}",
        "tag page": tag.get_absolute_url(),
        "author page": author.get_absolute_url(),
    }

    client = Client()
    queries, statuses = {}, {}
    for name, url in urls.items():
        client.get(url)  # warm the per-process caches, as a serving worker has them
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        statuses[name] = response.status_code
        queries[name] = len(captured)
        # The same page with no fragment cached (the rows marked "cold").
        with (
            override_settings(FRAGMENT_CACHE_ENABLED=False),
            CaptureQueriesContext(connection) as captured,
        ):
            client.get(url)
        queries[f"{name}, cold"] = len(captured)

    explain = {}
    if connection.vendor == "postgresql":
        listing = Article.objects.published().in_region(region).newest_first().as_cards()
        for page in (1, DEEP_PAGE):
            offset = (page - 1) * PAGE_SIZE
            window = listing.values("pk")[offset : offset + PAGE_SIZE + 1]
            sql, params = listing.filter(pk__in=window).query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
            explain[f"region page {page}"] = round(plan[0]["Execution Time"], 3)

    search = search_probe(client, region.slug)
    print(
        json.dumps(
            {
                "search": search,
                "urls": urls,
                "queries": queries,
                "statuses": statuses,
                "explain_ms": explain,
                "articles": Article.objects.count(),
                "published": Article.objects.published().count(),
                "vendor": connection.vendor,
            }
        )
    )


def search_probe(client, region_slug: str) -> dict:
    """URL, status, queries, matches and EXPLAIN ANALYZE time of each benchmark search."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles.search import matching_articles

    probe = {"urls": {}, "statuses": {}, "queries": {}, "matches": {}, "explain_ms": {}}
    for name, text in SEARCH_QUERIES.items():
        params = {"q": text, **({"region": region_slug} if name == REGION_QUERY else {})}
        url = "/search/?" + urlencode(params)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        probe["urls"][name] = url
        probe["statuses"][name] = response.status_code
        probe["queries"][name] = len(captured)
        # Every published story the query matches, however many of them a results page ranks.
        matches = matching_articles(text, region=params.get("region", ""))
        probe["matches"][name] = matches.count()
        if connection.vendor == "postgresql":
            probe["explain_ms"][name] = round(
                sum(explain_ms(connection, query["sql"]) for query in captured), 3
            )
    return probe


def explain_ms(connection, sql: str) -> float:
    """EXPLAIN ANALYZE execution time of one captured statement (the SQL exactly as sent)."""
    if not sql.lstrip().upper().startswith("SELECT"):
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return plan[0]["Execution Time"]


if __name__ == "__main__":
    main()
