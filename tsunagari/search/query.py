"""Searching the directory as a platform's residents see it: words and filters, ranked, paged.

One full-text lookup answers the words and every filter that is a token (see facets.py); only
the exact minutes of "open now" and the exact distance of "near" are checked in SQL beside it.
SQLite ranks with bm25 over FTS5; PostgreSQL with ts_rank_cd over the GIN-indexed tsvector.

The SQL is assembled from fixed fragments of this module only (hence the S608 exemptions); every
value, the full-text query included, is passed as a parameter.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import jpholiday
from django.db import connection
from django.db.models import Model, QuerySet
from django.utils import timezone

from tsunagari.directory.models import Channel, Schedule, Service, ServiceArea, ServiceAtLocation, TaxonomyTerm
from tsunagari.lib.geo import EARTH_RADIUS_KM, bounding_box, haversine_km
from tsunagari.lib.hours import JST, week_of_month
from tsunagari.lib.japanese import Clause, analyze_query, query_clauses, query_forms
from tsunagari.lib.paging import Paged
from tsunagari.tenancy.models import Municipality, Platform
from tsunagari.tenancy.scoping import scope

from . import facets
from .areas import postal_code_municipality
from .facets import Expr, all_of, any_of, but_not, term

__all__ = ["SearchResults", "platform_facet_counts", "search_services"]

MAX_PER_PAGE = 100
# Matches are counted and ordered exactly up to this many; above it the search says "more than".
# 25 pages of 20 is more than anyone reads; ordering 1,000 instead cost twice as much at 100,000 services.
MAX_MATCHES = 500
# The related rows loaded with each service of a page, by default: what the finder and the API use.
RELATIONS = ("channels", "schedules", "service_at_locations", "service_areas", "terms")


@dataclass(frozen=True)
class SearchResults(Paged):
    """One page of results, with what the page needs to explain itself."""

    services: list[Service]
    total: int
    page: int
    per_page: int
    more: bool = False
    """More than `total` services match: the search counts and orders at most MAX_MATCHES."""
    tokens: tuple[str, ...] = ()
    relaxed: bool = False
    """No service had every word, so services with any of them are shown (no needs were understood)."""
    understood_needs: tuple[str, ...] = ()
    """The need codes understood from the words whose windows were looked up too (issue 9 item 6)."""
    word_matches: int = 0
    """How many of the services (`total`) have every word; the rest are there for the needs understood.
    0 with `understood_needs` and a `total`: no service had every word (the page says so)."""
    resolved_municipality: Municipality | None = None
    """The municipality the area filter used (from the code, or from the postal code)."""
    unknown_area: bool = False
    """An area was asked for but the postal code or municipality code is not a real one."""
    distances_km: dict[uuid.UUID, float] = field(default_factory=dict)
    """For a search near a point: each shown service's nearest location, in kilometres."""
    facet_counts: dict[str, int] = field(default_factory=dict)
    """With `count_facets`: how many of the matches (at most MAX_MATCHES) carry each filter token."""
    ids: tuple[uuid.UUID, ...] = ()
    """The page's service ids in order (with `ids_only`, instead of `services`)."""

    @property
    def municipality(self) -> Municipality | None:
        return self.resolved_municipality


def search_services(
    *,
    platform: Platform,
    text: str = "",
    needs: Sequence[str] = (),
    targets: Sequence[str] = (),
    channels: Sequence[str] = (),
    open_now: bool = False,
    open_24h: bool = False,
    free: bool = False,
    anonymous: bool = False,
    languages: Sequence[str] = (),
    municipality_code: str | None = None,
    postal_code: str | None = None,
    municipality: Municipality | None = None,
    near: tuple[float, float] | None = None,
    radius_km: float | None = None,
    now: datetime.datetime | None = None,
    page: int = 1,
    per_page: int = 20,
    relations: Sequence[str] = RELATIONS,
    any_word: bool = False,
    max_matches: int | None = None,
    count_facets: bool = False,
    understood: Sequence[str] = (),
    visible_to: Sequence[int] | None = None,
    ids_only: bool = False,
) -> SearchResults:
    """The services `platform`'s portal shows that match the words and every filter given.

    Within one filter the choices are alternatives (need A or need B); different filters must
    all hold. Every word must match; when no service has them all, any word will do and the
    result says `relaxed`. Results are ranked by relevance, by distance when only `near` is
    given, and by name when there are no words. `now` (default: the current time) decides
    "open now", in Japan time, with national holidays and the year-end break.

    At most `max_matches` (MAX_MATCHES) services are counted and ordered; `more` says when there
    were more.
    `relations` are the related rows loaded with each service (a results page needs only channels).
    `municipality` is the area as an object already looked up (instead of a code). With
    `any_word`, any of the words will do from the start: the finder's words only order its pool.

    `understood` are need codes understood from the words (finder.understanding.search_needs):
    the windows for them come after those with every word, those that have some of the words
    first, and `word_matches` says how many had every word. So 家賃 finds the 住居確保給付金 window
    although its listing never says 家賃.

    `visible_to` (platform ids) replaces the portal's visibility by "published by any of these"
    (the national API's catalogue). With `ids_only` the page's ids come in `ids`, without loading
    the services, and a page may hold all `max_matches`.
    With `count_facets`, the results also count the filter tokens of the matches (for a page that
    shows how many results each filter option would keep).
    """
    page = max(1, page)
    max_matches = max_matches or MAX_MATCHES
    per_page = max(1, min(per_page, max_matches if ids_only else MAX_PER_PAGE))
    unknown_area = False
    if municipality is None:
        municipality, unknown_area = _resolve_area(municipality_code, postal_code)
    if unknown_area:
        return SearchResults([], 0, page, per_page, unknown_area=True)

    # The platform ids platform_scope(platform) reads from, looked up once for the index and the fetch.
    if visible_to is None:
        scope_ids = platform.scope_ids()
        filters = [_visible_to(platform, scope_ids)]
    else:
        scope_ids = list(visible_to)
        filters = [any_of(*(term(facets.visible(pk)) for pk in scope_ids))]
    if needs:
        filters.append(any_of(*(term(facets.need(code)) for code in needs)))
    if targets:
        filters.append(any_of(*(term(facets.target(code)) for code in targets)))
    if channels:
        filters.append(any_of(*(term(facets.channel(kind)) for kind in channels)))
    if languages:
        filters.append(any_of(*(term(facets.language(code)) for code in languages)))
    if open_24h:
        filters.append(term(facets.attribute("open_24h")))
    if free:
        filters.append(term(facets.attribute("free")))
    if anonymous:
        filters.append(term(facets.attribute("anonymous")))
    if municipality is not None:
        filters.append(
            any_of(
                term(facets.area_municipality(municipality.code)),
                term(facets.area_prefecture(municipality.prefecture_id)),
                term(facets.NATIONWIDE),
            )
        )
    extra: list[tuple[str, list[Any]]] = []
    if open_now:
        expr, check = _open_now(now or timezone.now())
        filters.append(expr)
        extra.append(check)
    if near is not None:
        extra.append(_near_check(near, radius_km if radius_km is not None else 10.0))

    clauses = query_clauses(text) if text.strip() else []
    tokens = tuple(analyze_query(text)) if clauses else ()
    order_near = near if near is not None and not clauses else None
    offset = (page - 1) * per_page
    understood = tuple(code for code in understood if code not in needs) if clauses else ()

    facet_lookup: _Lookup | None = None

    def run(
        words: list[Clause], more_filters: list[Expr], *, any_word: bool, limit: int, offset: int
    ) -> tuple[list[uuid.UUID], int, bool]:
        nonlocal facet_lookup
        lookup = _lookup(words, [*filters, *more_filters], any_word=any_word)
        # The filter counts follow the widest lookup run: the results' own when the words alone
        # decide, the understood needs' windows when they are added (a superset of all but the
        # every-word stage, whose matches are almost always among them).
        facet_lookup = lookup
        return _page(
            lookup,
            extra,
            near=order_near,
            limit=limit,
            offset=offset,
            max_matches=max_matches,
        )

    relaxed = False
    word_matches = 0
    if not understood:
        ids, total, more = run(clauses, [], any_word=any_word, limit=per_page, offset=offset)
        word_matches = total
        if total == 0 and _several_words(clauses) and not any_word:
            ids, total, more = run(clauses, [], any_word=True, limit=per_page, offset=offset)
            relaxed = total > 0
    else:
        # Every word first, then the understood needs' windows with some of the words, then the rest
        # of them: three lookups of at most max_matches ids each, the page cut from their union.
        by_need = [any_of(*(term(facets.need(code)) for code in understood))]
        ordered: dict[uuid.UUID, None] = {}
        more = False
        stages: list[tuple[list[Clause], list[Expr], bool]] = [(clauses, [], any_word)]
        if not any_word and _several_words(clauses):
            # With one word, "some of the words" is "every word": that stage would add nothing.
            stages.append((clauses, by_need, True))
        stages.append(([], by_need, False))
        for words, more_filters, loose in stages:
            found, _count, over = run(words, more_filters, any_word=loose, limit=max_matches, offset=0)
            more = more or over
            for pk in found:
                ordered.setdefault(pk, None)
            if words is clauses and not loose:
                word_matches = len(ordered)
            if len(ordered) >= max_matches:
                break
        everything = list(ordered)[:max_matches]
        more = more or len(ordered) > max_matches
        total = len(everything)
        ids = everything[offset : offset + per_page]
    if near is not None:
        relations = (*relations, "service_at_locations")  # for the distances

    def facets_of(lookup: _Lookup | None) -> dict[str, int]:
        return _facet_counts(lookup, extra, max_matches) if lookup is not None else {}

    services = [] if ids_only else _fetch(scope_ids, ids, relations)
    distances = _distances(services, near) if near is not None else {}
    return SearchResults(
        services=services,
        total=total,
        more=more,
        page=page,
        per_page=per_page,
        tokens=tokens,
        relaxed=relaxed,
        understood_needs=understood,
        word_matches=word_matches,
        resolved_municipality=municipality,
        distances_km=distances,
        facet_counts=facets_of(facet_lookup) if count_facets and total else {},
        ids=tuple(ids),
    )


def platform_facet_counts(platform: Platform) -> tuple[int, dict[str, int]]:
    """How many documents `platform`'s portal shows, and how many of them carry each filter token."""
    lookup = _lookup([], [_visible_to(platform, platform.scope_ids())], any_word=False)
    counts = _facet_counts(lookup, [], None)
    return counts.pop("", 0), counts


def _facet_counts(lookup: _Lookup, extra: list[tuple[str, list[Any]]], limit: int | None) -> dict[str, int]:
    """The filter tokens (not areas, hours or visibility) of the lookup's matches, counted; "" counts the rows."""
    where = "".join(f" AND {condition}" for condition, _params in extra)
    params = [*lookup.params, *(param for _condition, params in extra for param in params)]
    sql = f"SELECT d.facets FROM {lookup.source} WHERE {lookup.condition}{where}"  # noqa: S608 - fixed fragments
    if limit is not None:
        sql += " LIMIT %s"
        params.append(limit)
    counts: dict[str, int] = defaultdict(int)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for (text,) in cursor.fetchall():
            counts[""] += 1
            for token in text.split():
                if token.startswith(_COUNTED):
                    counts[token] += 1
    return dict(counts)


# Needs, targets, attributes, channels and languages: what the portal's filters offer.
_COUNTED = ("n_", "t_", "at_", "c_", "l_")


def _resolve_area(municipality_code: str | None, postal_code: str | None) -> tuple[Municipality | None, bool]:
    if municipality_code:
        found = Municipality.objects.select_related("prefecture").filter(code=municipality_code).first()
        return found, found is None
    if postal_code:
        found = postal_code_municipality(postal_code)
        return found, found is None
    return None, False


def _visible_to(platform: Platform, scope_ids: list[int]) -> Expr:
    """What directory.queries.platform_services(platform) shows, as tokens."""
    national_id = next((pk for pk in scope_ids if pk != platform.pk), None)
    own = term(facets.visible(platform.pk))
    if platform.is_national or national_id is None:
        return own
    if platform.kind == Platform.Kind.MUNICIPALITY:
        areas = [
            facets.area_municipality(str(platform.municipality_id)),
            facets.area_prefecture(str(platform.prefecture_id)),
            facets.NATIONWIDE,
        ]
    else:
        areas = [facets.area_in_prefecture(str(platform.prefecture_id)), facets.NATIONWIDE]
    return any_of(own, *(term(facets.visible_in(national_id, area)) for area in areas))


def _open_now(now: datetime.datetime) -> tuple[Expr, tuple[str, list[Any]]]:
    local = now.astimezone(JST)
    day = local.date()
    moment = local.time().replace(tzinfo=None, microsecond=0)
    candidates = any_of(term(facets.OPEN_24H), term(facets.open_hour(day.weekday(), moment.hour)))
    expr = all_of(term(facets.HOURS_KNOWN), candidates)
    if (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3):
        expr = but_not(expr, term(facets.CLOSED_YEAR_END))
    if jpholiday.is_holiday(day):
        expr = but_not(expr, term(facets.CLOSED_ON_HOLIDAYS))
    expr = but_not(expr, term(facets.closed_on_date(day.month, day.day)))
    weekday = facets.WEEKDAYS[day.weekday()].upper()
    # The hour token only says "open at some time in this hour": compare the minutes, unless (on
    # PostgreSQL) the row's own tokens say it is open the whole hour or round the clock.
    fast_params: list[Any]
    if connection.vendor == "postgresql":
        fast, fast_params = _has_any_token([facets.open_full_hour(day.weekday(), moment.hour), facets.OPEN_24H])
    else:
        # SQLite's look-up of a service's schedules by index costs less than scanning the text.
        fast, fast_params = "0", []
    time_value = connection.ops.adapt_timefield_value(moment)
    check = (
        f"({fast} OR EXISTS (SELECT 1 FROM directory_schedule s WHERE s.service_id = d.service_id"  # noqa: S608
        " AND (s.open_24h OR (((',' || s.byday || ',') LIKE %s OR (',' || s.byday || ',') LIKE %s)"
        " AND s.opens_at <= %s AND s.closes_at > %s))))",
        # Whole entries only: every week (``SA``) or this week of the month (``3SA``), never ``3SA`` for ``SA``.
        [*fast_params, f"%,{weekday},%", f"%,{week_of_month(day)}{weekday},%", time_value, time_value],
    )
    return expr, check


def _has_any_token(tokens: list[str]) -> tuple[str, list[Any]]:
    """SQL true when the row's `facets` text has one of these tokens (checked on the row, not the index).

    On the plain text column: on PostgreSQL `tsv @@` on the row would read the whole tsvector,
    often out of line (TOAST), for every candidate.
    """
    sql = " OR ".join(["(' ' || d.facets || ' ') LIKE %s ESCAPE '!'"] * len(tokens))
    # Tokens are [a-z0-9_]; `_` is LIKE's any-character, so it is escaped.
    return f"({sql})", ["% " + token.replace("_", "!_") + " %" for token in tokens]


def _near_check(near: tuple[float, float], radius_km: float) -> tuple[str, list[Any]]:
    lat, lon = near
    south, north, west, east = bounding_box(lat, lon, radius_km)
    return (
        "EXISTS (SELECT 1 FROM search_servicepoint p WHERE p.document_id = d.id"  # noqa: S608 - fixed fragments
        " AND p.latitude BETWEEN %s AND %s AND p.longitude BETWEEN %s AND %s"
        f" AND {_distance_sql()} <= %s)",
        [south, north, west, east, lat, lat, lon, radius_km],
    )


def _distance_sql() -> str:
    # Haversine in SQL: SQLite has these functions built in (3.35+) or from Django's backend.
    return (
        f"2 * {EARTH_RADIUS_KM} * ASIN(SQRT("
        "POWER(SIN(RADIANS(p.latitude - %s) / 2), 2)"
        " + COS(RADIANS(%s)) * COS(RADIANS(p.latitude)) * POWER(SIN(RADIANS(p.longitude - %s) / 2), 2)))"
    )


def _fetch(scope_ids: list[int], ids: list[uuid.UUID], relations: Sequence[str]) -> list[Service]:
    """The services of a page, in order, with what a list of results shows already loaded."""
    if not ids:
        return []
    # Read through the scoped managers: the index chose the page, the tenant scope still guards it.
    with scope(platform=scope_ids):
        by_id = {
            service.pk: service
            # No ORDER BY: the page's order is the index's.
            for service in Service.objects.filter(pk__in=ids).select_related("organization").order_by()
            if service.publication == Service.Publication.PUBLISHED
        }
        services = [by_id[pk] for pk in ids if pk in by_id]
        page = list(by_id)
        children: dict[str, QuerySet[Any]] = {
            "channels": Channel.objects.filter(service_id__in=page),
            "schedules": Schedule.objects.filter(service_id__in=page).order_by(),
            "service_at_locations": ServiceAtLocation.objects.filter(service_id__in=page).select_related("location"),
            "service_areas": ServiceArea.objects.filter(service_id__in=page).select_related(
                "municipality__prefecture", "prefecture"
            ),
        }
        for relation, rows in children.items():
            if relation not in relations:
                continue
            grouped: dict[uuid.UUID, list[Any]] = defaultdict(list)
            for row in rows:
                grouped[row.service_id].append(row)
            _attach(services, relation, rows.model, grouped)
        if "terms" in relations:
            terms: dict[uuid.UUID, list[Any]] = defaultdict(list)
            for link in Service.terms.through.objects.filter(service_id__in=page).select_related("taxonomyterm"):
                terms[link.service_id].append(link.taxonomyterm)
            _attach(services, "terms", TaxonomyTerm, terms)
    return services


def _attach(
    services: list[Service], relation: str, model: type[Model], rows_by_service: dict[uuid.UUID, list[Any]]
) -> None:
    """Fill `service.<relation>.all()` from rows already fetched, as prefetch_related would.

    prefetch_related builds a filtered queryset per service and relation, and the tenant-scoped
    managers make each one costly: 20 services × 5 relations took 40 ms, more than the search.
    This stores the same prefetch cache (a finished queryset per relation) at no such cost.
    """
    for service in services:
        cached: QuerySet[Any] = QuerySet(model=model)
        cached._result_cache = rows_by_service.get(service.pk, [])
        cached._prefetch_done = True  # type: ignore[attr-defined]
        service.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = cached


def _distances(services: list[Service], near: tuple[float, float]) -> dict[uuid.UUID, float]:
    distances: dict[uuid.UUID, float] = {}
    for service in services:
        points = [
            haversine_km(near[0], near[1], float(sal.location.latitude), float(sal.location.longitude))
            for sal in service.service_at_locations.all()
            if sal.location.latitude is not None and sal.location.longitude is not None
        ]
        if points:
            distances[service.pk] = min(points)
    return distances


@dataclass(frozen=True)
class _Lookup:
    """One full-text lookup in a vendor's SQL: FROM and WHERE (the document table is `d`), and the rank."""

    source: str
    condition: str
    params: list[Any]
    rank: str = ""
    """Lower is better; empty when there are no words to rank by."""
    rank_params: list[Any] = field(default_factory=list)
    index_only: str = ""
    """The same lookup on the full-text index alone (FROM … WHERE …), when the vendor has one apart."""


def _several_words(clauses: list[Clause]) -> bool:
    """More than one word to match (家賃が払えない: 家賃 and 払う), so "any of them" differs from "all"."""
    return sum(max(len(alternative) for alternative in clause) for clause in clauses) > 1


def words_expr(clauses: list[Clause], *, any_word: bool) -> Expr:
    """The words of a query as one expression over body tokens (see lib.japanese.query_clauses)."""
    if any_word:
        return any_of(*map(term, query_forms(clauses)))
    return all_of(
        *(
            any_of(*(all_of(*(any_of(*map(term, word)) for word in alternative)) for alternative in clause))
            for clause in clauses
        )
    )


def _sqlite_lookup(clauses: list[Clause], facet_expr: Expr, any_word: bool) -> _Lookup:
    """FTS5: `search_fts` MATCH on (body, facets), ranked by bm25 on the body column only."""
    match = f"facets : {facet_expr.fts5()}"
    if clauses:
        match = f"body : {words_expr(clauses, any_word=any_word).fts5()} AND {match}"
    return _Lookup(
        source="search_fts JOIN search_servicedocument d ON d.id = search_fts.rowid",
        condition="search_fts MATCH %s",
        params=[match],
        rank="bm25(search_fts, 1.0, 0.0)" if clauses else "",
        index_only="search_fts WHERE search_fts MATCH %s",
    )


def _pg_words(expr: Expr) -> tuple[str, list[Any]]:
    """A words expression as tsquery SQL: each token through plainto_tsquery, as the body was split."""
    if expr.token:
        return "plainto_tsquery('simple', %s)", [expr.token]
    joiner = " && " if expr.op == "and" else " || "
    parts = [_pg_words(item) for item in expr.items]
    return "(" + joiner.join(sql for sql, _params in parts) + ")", [p for _sql, params in parts for p in params]


def _postgresql_lookup(clauses: list[Clause], filters: list[Expr], any_word: bool) -> _Lookup:
    """The generated `tsv` column with its GIN index, ranked by ts_rank_cd on the words only.

    `filters[0]` is the portal's visibility. On the national portal it is one token that nearly
    every document has: ANDed inside the GIN lookup, its posting list (100,000 entries at 100,000
    services) doubled the cost of a search for a word in a quarter of them, so when there is
    anything else to look up it is checked on each matching row instead.
    """
    visible, others = filters[0], filters[1:]
    row_check, row_params = "", cast(list[Any], [])
    if visible.token and (clauses or others):
        check, row_params = _has_any_token([visible.token])
        row_check = f" AND {check}"
        filters = others
    facets_query = all_of(*filters).tsquery() if filters else ""
    if not clauses:
        return _Lookup(
            "search_servicedocument d", "d.tsv @@ CAST(%s AS tsquery)" + row_check, [facets_query, *row_params]
        )
    # plainto_tsquery splits each token exactly as to_tsvector split the document.
    words, word_params = _pg_words(words_expr(clauses, any_word=any_word))
    if facets_query:
        condition, params = f"d.tsv @@ ({words} && CAST(%s AS tsquery))", [*word_params, facets_query]
    else:
        condition, params = f"d.tsv @@ {words}", list(word_params)
    return _Lookup(
        source="search_servicedocument d",
        condition=condition + row_check,
        params=[*params, *row_params],
        # Normalisation 2 divides by the document's length, as bm25 does on SQLite: a word in a
        # short name says more than the same word in a long description. Filter lexemes carry no
        # positions, so ts_rank_cd ignores them. Negated so that, as with bm25, lower is better.
        rank=f"-ts_rank_cd(d.tsv, {words}, 2)",
        rank_params=word_params,
    )


def _lookup(clauses: list[Clause], filters: list[Expr], *, any_word: bool) -> _Lookup:
    if connection.vendor == "sqlite":
        # FTS5 intersects posting lists by skipping: a frequent filter token costs it little.
        return _sqlite_lookup(clauses, all_of(*filters), any_word)
    return _postgresql_lookup(clauses, filters, any_word)


def _page(
    lookup: _Lookup,
    extra: list[tuple[str, list[Any]]],
    *,
    near: tuple[float, float] | None,
    limit: int,
    offset: int,
    max_matches: int,
) -> tuple[list[uuid.UUID], int, bool]:
    """The ids of one page in order, how many match (at most MAX_MATCHES), and whether there are more.

    One query reads the matches with their sort key, stopping after MAX_MATCHES + 1, and the
    page is cut from them here. Up to MAX_MATCHES the order is exact (relevance, distance or
    name). Above it the key is computed for the first MAX_MATCHES only: scoring every one of
    100,000 matches for a word as common as 相談 costs more than the whole search may, and in a
    set that large bm25 or ts_rank_cd hardly tell the documents apart anyway.
    """
    where = "".join(f" AND {condition}" for condition, _params in extra)
    where_params = [param for _condition, params in extra for param in params]
    if lookup.rank:
        key, key_params = lookup.rank, lookup.rank_params
    elif near is not None:
        key = f"(SELECT MIN({_distance_sql()}) FROM search_servicepoint p WHERE p.document_id = d.id)"  # noqa: S608
        key_params = [near[0], near[0], near[1]]
    else:
        key, key_params = "d.sort_name", []
    # FTS5 ranks fastest on its own table: the join is made for the page only, unless a check
    # beside the full-text match (open-now minutes, distance) or the key needs the documents.
    alone = bool(lookup.index_only) and not extra and bool(lookup.rank)
    with connection.cursor() as cursor:
        if alone:
            sql = f"SELECT rowid, {key} FROM {lookup.index_only} LIMIT %s"  # noqa: S608
        else:
            sql = f"SELECT d.service_id, {key} FROM {lookup.source} WHERE {lookup.condition}{where} LIMIT %s"  # noqa: S608
        # The key's parameters come first: it is in the SELECT list, before the conditions.
        cursor.execute(sql, [*key_params, *lookup.params, *where_params, max_matches + 1])
        rows = cursor.fetchall()
        more = len(rows) > max_matches
        rows.sort(key=lambda row: (row[1] is None, row[1] if row[1] is not None else 0, row[0]))
        total = min(len(rows), max_matches)
        chosen = [row[0] for row in rows[:total][offset : offset + limit]]
        if alone and chosen:
            # FTS5 gave document rowids: their services, in the same order.
            marks = ", ".join(["%s"] * len(chosen))
            cursor.execute(f"SELECT id, service_id FROM search_servicedocument WHERE id IN ({marks})", chosen)  # noqa: S608
            service_of = dict(cursor.fetchall())
            chosen = [service_of[doc] for doc in chosen if doc in service_of]
    return [_as_uuid(value) for value in chosen], total, more


def _as_uuid(value: object) -> uuid.UUID:
    # SQLite returns Django's UUIDs as 32 hex digits, PostgreSQL as uuid.UUID.
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
