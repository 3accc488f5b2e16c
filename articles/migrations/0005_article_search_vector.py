"""Full-text search on PostgreSQL: a stored generated search vector on stories and its GIN index.

The column is the database's, not the model's (see articles/search.py for why), so this migration
changes no model state and does nothing on SQLite. Because it is generated, PostgreSQL keeps it
current on every write path: admin, save(), bulk_create(), QuerySet.update() and raw SQL alike.

Adding it rewrites the table under an exclusive lock (25 seconds at 100,000 stories). A later
migration that changes the type of headline, lead or body must drop the column first and add it
back afterwards: PostgreSQL refuses to alter a column a generated column reads.
"""

from django.db import migrations

# Story bodies are sanitized HTML (articles/sanitizer.py): the tags go, the four entities nh3
# writes in text (&amp; &lt; &gt; &nbsp;) and &quot; become characters again, runs of white space
# become one space. The search view calls this function too, so snippets are cut from the very
# text that was indexed.
CREATE_FUNCTION = r"""
CREATE FUNCTION articles_html_to_text(html text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN btrim(regexp_replace(
        replace(replace(replace(replace(replace(
            regexp_replace(html, '<[^>]*>', ' ', 'g'),
            '&nbsp;', ' '), '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&amp;', '&'),
        '\s+', ' ', 'g'));
"""

# Headline above lead above body: weights A, B and C of ts_rank. Ranking reads the vector of every
# match, so it is kept in the row (STORAGE MAIN) rather than in TOAST, where each read costs three
# extra page visits: a search matching 14,000 of 100,000 stories ranks in 40 ms instead of 115 ms.
# The body moves out of the row instead, one lookup more for the few pages that show it. Set in the
# same statement, the storage applies to the rows that statement rewrites.
ADD_COLUMN = """
ALTER TABLE articles_article
    ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('russian'::regconfig, headline), 'A')
        || setweight(to_tsvector('russian'::regconfig, lead), 'B')
        || setweight(to_tsvector('russian'::regconfig, articles_html_to_text(body)), 'C')
    ) STORED,
    ALTER COLUMN search_vector SET STORAGE MAIN;
"""

CREATE_INDEX = (
    "CREATE INDEX article_search_vector_idx ON articles_article USING gin (search_vector);"
)

DROP = """
DROP INDEX article_search_vector_idx;
ALTER TABLE articles_article DROP COLUMN search_vector;
DROP FUNCTION articles_html_to_text(text);
"""


def add_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in (CREATE_FUNCTION, ADD_COLUMN, CREATE_INDEX):
            schema_editor.execute(statement)


def drop_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_covering_listing_indexes"),
    ]

    operations = [
        migrations.RunPython(add_search_vector, drop_search_vector, elidable=False),
    ]
