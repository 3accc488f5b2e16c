"""Listing pages that cost the same on page 500 as on page 1.

Django's Paginator counts the whole listing on every page (a COUNT(*) that grows with the table)
and fetches deep pages by a plain OFFSET over full rows. Here a page asks for one row more than
it shows to learn whether a next page exists, and the OFFSET runs over primary keys in an
inner query that PostgreSQL answers from the listing index alone (a "deferred join").
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

PAGE_SIZE = 20
# Deeper than any listing of a newsroom goes; anything larger is a mistyped or hostile URL.
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    def map(self, make) -> "Page":
        """The same page with each item made into another (a row of values into a card row)."""
        return Page([make(*item) for item in self.items], self.number, self.has_next)


def page_number(raw: str | None) -> int:
    """The page a `?page=` value names; anything but a plain positive integer is a 404."""
    if raw is None:
        return 1
    if not (raw.isascii() and raw.isdigit()) or raw.startswith("0") or len(raw) > 6:
        raise Http404("Нет такой страницы.")
    number = int(raw)
    if number > MAX_PAGE:
        raise Http404("Нет такой страницы.")
    return number


def paginate(
    queryset: QuerySet, number: int, *, per_page: int = PAGE_SIZE, bounded: bool = False
) -> Page:
    """Page `number` (`page_number()` of the URL's) of an ordered queryset in a single query;
    an empty page past the first is a 404.

    `bounded`: the queryset holds a few hundred rows at most (search's candidates), so a plain
    OFFSET costs nothing and the deferred join would only add a subquery. Its rows may be values
    (`values_list()`) either way.
    """
    offset = (number - 1) * per_page
    if queryset.query.is_empty():  # `.none()`: known to be empty without building its SQL
        items = []
    elif bounded:
        items = list(queryset[offset : offset + per_page + 1])
    else:
        window = queryset.values("pk")[offset : offset + per_page + 1]
        items = list(queryset.filter(pk__in=window))
    if number > 1 and not items:
        raise Http404("Нет такой страницы.")
    return Page(items=items[:per_page], number=number, has_next=len(items) > per_page)
