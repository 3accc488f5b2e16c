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


def paginate(queryset: QuerySet, raw_page: str | None, *, per_page: int = PAGE_SIZE) -> Page:
    """One page of an ordered queryset in a single query; an empty page past the first is a 404."""
    number = page_number(raw_page)
    if queryset.query.is_empty():  # `.none()`: known to be empty without building its SQL
        return _page([], number, per_page)
    offset = (number - 1) * per_page
    window = queryset.values("pk")[offset : offset + per_page + 1]
    return _page(list(queryset.filter(pk__in=window)), number, per_page)


def paginate_bounded(
    queryset: QuerySet, raw_page: str | None, *, per_page: int = PAGE_SIZE
) -> Page:
    """One page of a queryset of a few hundred rows at most (search's candidates) by a plain
    OFFSET, which costs nothing there; its rows may be values (`values_list()`), not models."""
    number = page_number(raw_page)
    if queryset.query.is_empty():
        return _page([], number, per_page)
    offset = (number - 1) * per_page
    return _page(list(queryset[offset : offset + per_page + 1]), number, per_page)


def _page(items: list, number: int, per_page: int) -> Page:
    if number > 1 and not items:
        raise Http404("Нет такой страницы.")
    return Page(items=items[:per_page], number=number, has_next=len(items) > per_page)
