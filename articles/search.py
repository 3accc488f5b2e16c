"""Search of published stories: PostgreSQL full-text search, a plain fallback on SQLite.

Design. On PostgreSQL every story carries `search_vector`, a STORED generated column (migration
0005): the headline weighted A, the lead B, the body's plain text C, under the `russian`
configuration, so inflected forms meet at one stem (`пожар`, `пожары`, `пожаре`). A GIN index
serves `@@`. A generated column is recomputed by the database on every write — admin, `save()`,
`bulk_create()`, `QuerySet.update()`, raw SQL — where a trigger-less SearchVectorField would go
stale on all but the paths that remember to refresh it. The model does not declare the column:
declared, it would be read by every query of every page (a tsvector as large as the body, loaded
and thrown away by listings and story pages), and SQLite, which has no tsvector, would need a
column of its own. Django's GeneratedField has both drawbacks. Queries here reach the column
through `_SearchVectorColumn` instead.

Ranking. score = ts_rank(search_vector, query) × (1 + 0.5 ^ (age in days / 30)): relevance with
the A/B/C weights (1.0, 0.4, 0.2), times a freshness bonus that doubles the score of a story
published this minute, adds half for a month-old one and fades to nothing within a year. At most
doubling, it reorders comparable matches but cannot lift a mention in the body (0.2) above a
headline match (1.0). Ties go to the newer story.

A bounded candidate set. Ranking reads the vector of every story it ranks, so ranking every match
of a word found in most stories would cost in proportion to the archive (170 ms at 100,000). The
search ranks the SEARCH_CANDIDATES newest matches only, and pages within them; when there are more,
the page says that the newest ones are shown (`more_matches`). Their ids are fetched first (one
query, which also tells whether there are more); the page's query ranks those ids and reads one
page of them by OFFSET, as values: the results' cards come from the fragment cache, with the
query's marked headline and snippet written into them (articles/caching/fragments.py). Finding the
newest matches does not visit every match either, whichever index the server has (migration 0010):
with RUM the planner either reads them newest first from the RUM index (a rare word) or walks an
index of published stories by time and tests each (a common word), choosing by its estimate of how
many stories match; with GIN it either takes every match from the GIN index and keeps the newest (a
rare word) or walks the listing index the same way. The cost is bounded by the smaller of the
number of matches and SEARCH_CANDIDATES divided by the share of stories that match. A region filter
is by the region's id, so the walk can use the region's listing index; with a region or date filter
the RUM path orders as the GIN one does, since RUM cannot narrow by either inside the index and the
listing indexes can. ts_headline runs for the 20 stories shown, never for the rest.

Queries always go through websearch_to_tsquery, which accepts any text (quotes, operators, stop
words) without a syntax error; text is capped at MAX_QUERY_LENGTH before it reaches the database.

Snippets come from ts_headline over the lead and the body's plain text (the same
`articles_html_to_text()` the index reads). Matches are wrapped in control characters that the
text fields never store (articles/text.py), the whole snippet is escaped, and only then do those
sentinels become <mark> elements: no text of a story is ever markup.

On SQLite, a story matches when its headline, lead or body text contains every word of the query,
compared after Python's casefold() (SQLite's own LIKE folds ASCII only), newest first, with the
lead as its snippet: no stemming, no ranking, enough for development. The same cap applies.
"""

import dataclasses
import datetime
import functools
import html
import operator
import re

from django import forms
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections
from django.db.models import (
    BooleanField,
    Expression,
    F,
    FloatField,
    Func,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.expressions import Col
from django.db.models.functions import Concat, Replace
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from .context_processors import active_regions
from .models import Article, Region
from .text import strip_control_characters

MAX_QUERY_LENGTH = 200
# Words taken one by one: the SQLite fallback runs a LIKE for each over every story, PostgreSQL
# marks each in snippets. A sentence is plenty.
MAX_WORDS = 10
SEARCH_CONFIG = "russian"
# The newest matches a search ranks and pages through: 25 pages, more than readers turn.
SEARCH_CANDIDATES = 500
# Migration 0010: the RUM index, and the time order the RUM path sorts candidates by.
RUM_INDEX = "article_search_rum_idx"
NEWEST_FROM = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)
FRESHNESS_HALF_LIFE = datetime.timedelta(days=30)
# Dates outside the network's life are mistyped, and far ones would overflow on conversion.
EARLIEST_DATE = datetime.date(1991, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)

# C0 control characters: strip_control_characters() keeps them out of every stored text.
_START, _STOP = "\x01", "\x02"
# ts_headline drops what looks like a tag when it cuts fragments; the snippet's "<" hides as this.
_LESS_THAN = "\x03"
_HIGHLIGHTED = re.compile(f"{_START}([^{_START}{_STOP}]*){_STOP}")
_WORD = re.compile(r"\w+")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TAG = re.compile(r"<[^>]*>")
_SQLITE_DOCUMENT = "newsroom_search_document"


def normalize_query(raw: str | None) -> str:
    """The query as searched: printable, single-spaced, at most MAX_QUERY_LENGTH characters."""
    text = " ".join(strip_control_characters(raw or "")[: MAX_QUERY_LENGTH * 4].split())
    return text[:MAX_QUERY_LENGTH].rstrip()


class QueryField(forms.CharField):
    """A search box that never refuses text: it trims it to what search takes instead."""

    def to_python(self, value):
        return normalize_query(value)

    def prepare_value(self, value):
        return normalize_query(value)


def _region_choices() -> list[tuple[str, str]]:
    return [("", _("Все регионы")), *((r["slug"], r["name"]) for r in active_regions())]


class _DateInput(forms.DateInput):
    """A date picker: a value that is not a date is left out, as HTML allows no other."""

    input_type = "date"

    def format_value(self, value):
        if isinstance(value, str) and not _is_iso_date(value):
            return None
        return super().format_value(value)


def _is_iso_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return _ISO_DATE.fullmatch(text) is not None


def _date_field(label: str) -> forms.DateField:
    limits = {"from": EARLIEST_DATE.year, "to": LATEST_DATE.year}
    out_of_range = _("Дата должна быть между %(from)s и %(to)s годом.") % limits
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=_DateInput(format="%Y-%m-%d"),
        validators=[
            MinValueValidator(EARLIEST_DATE, message=out_of_range),
            MaxValueValidator(LATEST_DATE, message=out_of_range),
        ],
        error_messages={"invalid": _("Дата — в виде ГГГГ-ММ-ДД, например 2024-03-27.")},
    )


class SearchForm(forms.Form):
    """The search page's parameters; an invalid filter is reported and left out, never fatal."""

    q = QueryField(
        label=_("Что найти"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "maxlength": MAX_QUERY_LENGTH}),
    )
    region = forms.ChoiceField(
        label=_("Регион"),
        required=False,
        choices=_region_choices,
        error_messages={"invalid_choice": _("Такого региона нет.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "search-%s")
        super().__init__(*args, **kwargs)
        # The URL says ?from=…&to=…, and `from` is a Python keyword.
        self.fields["from"] = _date_field(_("С даты"))
        self.fields["to"] = _date_field(_("По дату"))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", _("Эта дата раньше начальной."))
        return cleaned


def search_articles(
    text: str,
    *,
    region: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> "SearchResults":
    """The newest SEARCH_CANDIDATES published matches, best first, and whether there are more.

    Each story carries `found_headline` and `found_snippet`. The candidates are fetched here, in
    one query: their ids, and one more to learn whether the query matches more stories."""
    filtered = bool(region or date_from or date_to)
    matches = matching_articles(text, region=region, date_from=date_from, date_to=date_to)
    if has_rum_index(matches.db) and not filtered:
        # Stories scheduled for later are skipped inside the index, not row by row.
        seconds_to_now = (NEWEST_FROM - timezone.now()).total_seconds()
        newest = (
            matches.alias(distance=_DistanceFromLatest())
            .filter(distance__gte=seconds_to_now)
            .order_by(F("distance").asc())
        )
    else:
        newest = matches.order_by("-published_at", "-id")
    newest = newest.values_list("pk", flat=True)
    ids = list(newest[: SEARCH_CANDIDATES + 1])
    # By an array, not an IN list of a thousand parameters: the page's query names it twice.
    # No match, no page to ask the database for.
    candidates = Article.objects.filter(_IdIn(ids[:SEARCH_CANDIDATES]))
    if not ids:
        candidates = Article.objects.none()
    if connections[matches.db].vendor == "postgresql":
        stories = _ranked(candidates, text)
    else:
        stories = candidates.annotate(found_headline=F("headline"), found_snippet=F("lead"))
        stories = stories.order_by("-published_at", "-id")
    return SearchResults(stories=stories, more_matches=len(ids) > SEARCH_CANDIDATES)


@dataclasses.dataclass(frozen=True)
class SearchResults:
    stories: QuerySet  # the ranked candidates, to paginate
    more_matches: bool  # the query matches more stories than were ranked


class _IdIn(Func):
    """`id = ANY(array)` on PostgreSQL; an IN list on SQLite, which has no arrays."""

    output_field = BooleanField()

    def __init__(self, ids: list[int]):
        super().__init__(F("pk"))
        self.ids = [int(pk) for pk in ids]

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        if not self.ids:
            return "FALSE" if connection.vendor == "postgresql" else "0", []
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s)", [*params, self.ids]
        return f"{column} IN ({', '.join(['%s'] * len(self.ids))})", [*params, *self.ids]


def matching_articles(
    text: str,
    *,
    region: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet:
    """Every published story matching the text and the filters, in no order."""
    stories = Article.objects.published()
    if region:
        # By id, known before the plan runs, so the region's listing index can serve it.
        stories = stories.filter(
            region_id=Subquery(Region.objects.filter(slug=region).values("pk")[:1])
        )
    # Dates are days on the newsroom's clock, both ends included.
    if date_from:
        stories = stories.filter(published_at__gte=_midnight(date_from))
    if date_to:
        stories = stories.filter(published_at__lt=_midnight(date_to + datetime.timedelta(days=1)))
    if connections[stories.db].vendor == "postgresql":
        return _full_text_matches(stories, text)
    return _every_word(stories, text)


def more_matches_notice(count: int | None = None) -> str:
    """What a results page says when the query matches more stories than were ranked."""
    count = SEARCH_CANDIDATES if count is None else count
    return _("Совпадений много: показаны %(count)s %(newest)s.") % {
        "count": count,
        "newest": _russian_plural(
            count,
            _("самое свежее совпадение"),
            _("самых свежих совпадения"),
            _("самых свежих совпадений"),
        ),
    }


def _russian_plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def has_rum_index(alias: str) -> bool:
    """Whether migration 0010 built the RUM index on this database (asked once per process)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return False
    return _has_rum_index(alias, connection.settings_dict["NAME"])


@functools.cache
def _has_rum_index(alias: str, name: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [RUM_INDEX])
        return cursor.fetchone()[0]


def forget_search_index() -> None:
    """Ask again which index the database has (after tests or tools swap them)."""
    _has_rum_index.cache_clear()


class _DistanceFromLatest(Func):
    """`published_at <=| 2100-01-01`, ascending newest first: the order RUM keeps in its index."""

    arg_joiner = " <=| "
    template = "(%(expressions)s)"
    output_field = FloatField()

    def __init__(self):
        super().__init__(F("published_at"), Value(NEWEST_FROM))


def highlight(articles: list[Article]) -> None:
    """Turn each story's found headline and snippet into safe HTML with <mark>ed matches."""
    for article in articles:
        article.search_headline = _marked(article.found_headline)
        article.search_snippet = _marked(article.found_snippet)


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def _marked(raw: str) -> SafeString:
    pieces = [
        piece.replace(_START, "").replace(_STOP, "")
        for piece in _HIGHLIGHTED.split((raw or "").replace(_LESS_THAN, "<"))
    ]
    # split() alternates text and highlighted words: text at even places, matches at odd ones.
    # Each piece escaped, then joined with the marks: forty snippets a page, format_html's
    # machinery per piece would cost more than the rest of the highlighting.
    marked = (
        f"<mark>{escape(piece)}</mark>" if i % 2 else escape(piece)
        for i, piece in enumerate(pieces)
    )
    return mark_safe("".join(marked))  # noqa: S308 - every piece escaped above


class _SearchVectorColumn(Expression):
    """The generated column the model does not declare, under the alias the query gives it."""

    _column = SearchVectorField()
    _column.set_attributes_from_name("search_vector")
    _column.model = Article  # what Django hashes and names a column by: (model, name)
    output_field = _column

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        return Col(query.get_initial_alias(), self._column)


class _HtmlToText(Func):
    """A body's plain text by the database function the search vector is computed with."""

    function = "articles_html_to_text"
    output_field = TextField()


class _Freshness(Func):
    """1 for a story published now, halving every FRESHNESS_HALF_LIFE."""

    arg_joiner = " - "
    # In double precision: EXTRACT gives numeric, whose power() is ten times slower per row.
    template = "power(0.5, EXTRACT(EPOCH FROM (%(expressions)s))::float8 / %(half_life)s)"
    output_field = FloatField()

    def __init__(self, now: datetime.datetime):
        super().__init__(
            Value(now), F("published_at"), half_life=FRESHNESS_HALF_LIFE.total_seconds()
        )


def _search_query(text: str) -> SearchQuery:
    return SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)


def _full_text_matches(stories: QuerySet, text: str) -> QuerySet:
    return stories.alias(search_vector=_SearchVectorColumn()).filter(
        search_vector=_search_query(text)
    )


def _ranked(candidates: QuerySet, text: str) -> QuerySet:
    query = _search_query(text)
    marked = _any_wanted_word(text) or query
    marks = {"config": SEARCH_CONFIG, "start_sel": _START, "stop_sel": _STOP}
    return (
        candidates.alias(search_vector=_SearchVectorColumn())
        .alias(score=SearchRank(F("search_vector"), query) * (1 + _Freshness(timezone.now())))
        .annotate(
            found_headline=SearchHeadline("headline", marked, highlight_all=True, **marks),
            found_snippet=SearchHeadline(
                Replace(
                    Concat("lead", Value(" "), _HtmlToText("body"), output_field=TextField()),
                    Value("<"),
                    Value(_LESS_THAN),
                ),
                marked,
                max_fragments=2,
                max_words=30,
                min_words=15,
                fragment_delimiter=" … ",
                **marks,
            ),
        )
        .order_by("-score", "-published_at", "-id")
    )


def _any_wanted_word(text: str) -> SearchQuery | None:
    """Any word of the query but the excluded ones, so snippets mark each word wherever it is."""
    # With the query itself ts_headline cuts only around places where all its words meet: when
    # they are split between headline and body, the snippet would be the lead with nothing marked.
    words = [word for word in text.split() if not word.startswith("-")][:MAX_WORDS]
    queries = [SearchQuery(word, search_type="plain", config=SEARCH_CONFIG) for word in words]
    return functools.reduce(operator.or_, queries) if queries else None


def _search_document(headline: str, lead: str, body: str) -> str:
    """What the SQLite fallback searches: the three texts, tags and entities gone, casefolded."""
    return "\n".join((headline, lead, html.unescape(_TAG.sub(" ", body)))).casefold()


def _every_word(stories: QuerySet, text: str) -> QuerySet:
    words = _WORD.findall(text.casefold())[:MAX_WORDS]
    if not words:
        return stories.none()
    # Registered per search rather than on connection_created: the connection may well be open
    # before this module is first imported, and registering again costs microseconds.
    connection = connections[stories.db]
    connection.ensure_connection()
    connection.connection.create_function(_SQLITE_DOCUMENT, 3, _search_document, deterministic=True)
    document = Func("headline", "lead", "body", function=_SQLITE_DOCUMENT, output_field=TextField())
    stories = stories.alias(document=document)
    for word in words:
        stories = stories.filter(document__contains=word)
    return stories
