"""HSDS pages (total_items … contents) and ndjson streams over querysets, id lists or lists."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, Protocol, TypeVar

from django.db.models import Model, QuerySet

from tsunagari.tenancy.scoping import scope

from .params import PageRequest

T = TypeVar("T")
M = TypeVar("M", bound=Model)
STREAM_CHUNK = 200


class Listing(Protocol[T]):
    """Something that can be counted, sliced into a page and streamed whole."""

    def count(self) -> int: ...

    def slice(self, start: int, stop: int) -> list[T]: ...

    def iterate(self) -> Iterator[T]: ...


class QuerySetListing(Generic[T]):
    """A queryset of model instances or of value rows."""

    def __init__(self, qs: QuerySet[Any, T]) -> None:
        self.qs = qs

    def count(self) -> int:
        return self.qs.count()

    def slice(self, start: int, stop: int) -> list[T]:
        return list(self.qs[start:stop])

    def iterate(self) -> Iterator[T]:
        return self.qs.iterator(chunk_size=STREAM_CHUNK)


class SortedListing(Generic[M]):
    """An ordered queryset paged in two steps: the page's ids, then those rows with `load`.

    Sorting only (sort key, id) rather than whole joined rows is several times faster when the
    sort key has no index (SQLite sorts the full rows otherwise).
    """

    def __init__(self, qs: QuerySet[M], load: Callable[[QuerySet[M]], QuerySet[M]]) -> None:
        self.qs = qs
        self.load = load

    def count(self) -> int:
        return self.qs.count()

    def slice(self, start: int, stop: int) -> list[M]:
        ids = list(self.qs.values_list("pk", flat=True)[start:stop])
        return IdListing(ids, self.load(self.qs.model._default_manager.all())).slice(0, len(ids))

    def iterate(self) -> Iterator[M]:
        return self.load(self.qs).iterator(chunk_size=STREAM_CHUNK)


class IdListing(Generic[M]):
    """Rows in an order computed in Python (e.g. by distance), fetched a page at a time."""

    def __init__(self, ids: Sequence[Any], qs: QuerySet[M]) -> None:
        self.ids = ids
        self.qs = qs

    def count(self) -> int:
        return len(self.ids)

    def slice(self, start: int, stop: int) -> list[M]:
        ids = self.ids[start:stop]
        rows = {row.pk: row for row in self.qs.filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]

    def iterate(self) -> Iterator[M]:
        for start in range(0, len(self.ids), STREAM_CHUNK):
            yield from self.slice(start, start + STREAM_CHUNK)


class ListListing(Generic[T]):
    def __init__(self, items: Sequence[T]) -> None:
        self.items = items

    def count(self) -> int:
        return len(self.items)

    def slice(self, start: int, stop: int) -> list[T]:
        return list(self.items[start:stop])

    def iterate(self) -> Iterator[T]:
        return iter(self.items)


def page(listing: Listing[T], request: PageRequest, serialize: Callable[[T], Any]) -> dict[str, Any]:
    """One page in HSDS's Page shape; a page past the end is empty, not an error."""
    total = listing.count()
    rows = listing.slice(request.offset, request.offset + request.size) if request.offset < total else []
    contents = [serialize(row) for row in rows]
    total_pages = math.ceil(total / request.size)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": request.number,
        "size": len(contents),
        "first_page": request.number == 1,
        "last_page": request.number >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def stream(listing: Listing[T], serialize: Callable[[T], Any], scope_ids: list[int]) -> Iterator[Any]:
    """Every item, serialised; runs after the view has returned, so it enters the scope itself."""
    with scope(platform=scope_ids):
        for row in listing.iterate():
            yield serialize(row)
