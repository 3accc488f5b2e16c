"""Search takes the newest matches from an index: RUM where the server has it, GIN otherwise.

A results page ranks only the newest matches of a query (articles/search.py, SEARCH_CANDIDATES),
so the database has to find those without visiting every match. Two plans do that:

- a word in many stories: walk the newest published stories (the listing index) and test each
  against the query, until enough are found;
- a rarer word: read its matches from the search index, newest first.

GIN (migration 0005) knows nothing of time: for a rare word PostgreSQL fetches every match from
the table to sort it. RUM (the `rum` extension, Debian's `postgresql-15-rum`) keeps each story's
`published_at` beside the word in the index, ordered by it (`order_by_attach`), and returns the
newest matches in the order `published_at <=| LATEST` asks for, reading no table row but those
it returns. The second index here orders published stories by that same expression, so the
planner can choose between the two plans for the one query the search sends, by its own
estimate of how many stories match. RUM serves `@@` as well, so the GIN index goes.

Whether the server has RUM is asked of `pg_available_extensions`. Where the extension cannot be
created (the package is missing, or the role may not create extensions), the GIN index stays
and search orders by `published_at DESC` against the listing index instead; articles/search.py
finds out which index it has at run time. Installing the package later and running
`manage.py migrate articles 0009 && manage.py migrate` moves a database to RUM (about 10 s at
100,000 stories, under a lock that blocks writes to stories).
"""

from django.db import migrations, transaction

RUM_INDEX = "article_search_rum_idx"
NEWEST_INDEX = "article_search_newest_idx"
GIN_INDEX = "article_search_vector_idx"
# The far end of time the distance is measured from: ascending distance is newest first. The
# same literal must be written by the search query for the planner to match the index.
LATEST = "2100-01-01 00:00:00+00"

CREATE_RUM = f"""
CREATE INDEX {RUM_INDEX} ON articles_article
    USING rum (search_vector rum_tsvector_addon_ops, published_at)
    WITH (attach = 'published_at', to = 'search_vector', order_by_attach = 't');
CREATE INDEX {NEWEST_INDEX} ON articles_article
    (status, (published_at <=| '{LATEST}'::timestamptz));
DROP INDEX IF EXISTS {GIN_INDEX};
"""

CREATE_GIN = f"""
DROP INDEX IF EXISTS {RUM_INDEX};
DROP INDEX IF EXISTS {NEWEST_INDEX};
CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON articles_article USING gin (search_vector);
"""


def rum_available(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
        return cursor.fetchone() is not None


def create_rum_extension(connection) -> bool:
    """CREATE EXTENSION rum, or False where the server or the role does not allow it."""
    if not rum_available(connection):
        return False
    try:
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS rum")
    except Exception:  # the role may not create extensions: GIN serves instead
        return False
    return True


def use_rum(schema_editor) -> None:
    schema_editor.execute(CREATE_RUM)


def use_gin(schema_editor) -> None:
    schema_editor.execute(CREATE_GIN)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    if create_rum_extension(schema_editor.connection):
        use_rum(schema_editor)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        use_gin(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_lockout_permissions"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
