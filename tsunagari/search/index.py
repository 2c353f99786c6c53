"""Building the search documents from the directory.

`reindex_services(ids)` is the one entry point: the importer calls it after a write, the signals
call it after a save, and `python -m tsunagari reindex` calls it for everything.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.db.models import F, QuerySet

from tsunagari.directory.models import (
    ATTRIBUTES,
    NEEDS,
    TARGETS,
    Channel,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceProgram,
)
from tsunagari.directory.opening import SCHEDULE_FIELDS, ScheduleRow, opening_from_byday, parse_closed_dates
from tsunagari.lib.japanese import analyze
from tsunagari.tenancy.scoping import scopes_disabled

from . import facets
from .models import ServiceDocument, ServicePoint
from .pending import forget_pending

__all__ = ["reindex_services"]

BATCH = 1000
# Refresh the planner's statistics after writing at least this many documents at once.
ANALYZE_AFTER = 1000


def reindex_services(service_ids: Iterable[uuid.UUID | str] | None = None) -> int:
    """Rebuild the search documents of these services, or of every service when None.

    Services that no longer exist simply lose their document. Runs in one transaction, across
    all platforms. Returns the number of documents written.
    """
    # Texts repeat a lot (organisation names, term labels, the same description in every
    # municipality), so analysing each distinct text once makes a full reindex several times faster.
    analysed = lru_cache(maxsize=50_000)(lambda text: tuple(analyze(text)))
    written = 0
    with scopes_disabled(), transaction.atomic():
        if service_ids is None:
            _delete(ServicePoint.objects.all())
            _delete(ServiceDocument.objects.all())
            ids = list(Service.objects.order_by("pk").values_list("pk", flat=True))
        else:
            ids = sorted({uuid.UUID(str(pk)) for pk in service_ids})
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            if service_ids is not None:
                _delete(ServicePoint.objects.filter(document__service_id__in=batch))
                _delete(ServiceDocument.objects.filter(service_id__in=batch))
            written += _write(_load(batch), analysed)
        if written >= ANALYZE_AFTER and connection.vendor == "sqlite":
            # Without statistics SQLite's planner prefers the platform_id index (every row of a
            # platform) to the primary key for scoped look-ups, which made loading a page of
            # results 30 times slower after a big import. PostgreSQL's autovacuum analyses by itself.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    # Saves inside the caller's transaction queued these services for after the commit; done now.
    forget_pending(None if service_ids is None else ids)
    return written


def _delete(queryset: QuerySet[Any]) -> None:
    # QuerySet.delete() first loads every row to cascade and send signals; nothing points at
    # search rows but points (deleted first) and nothing listens, so one DELETE does the same.
    queryset._raw_delete(queryset.db)


@dataclass
class _Source:
    """What the index needs of one service, read as plain rows (model instances cost 10× more)."""

    id: uuid.UUID
    platform_id: int
    name: str
    alternate_name: str
    description: str
    eligibility: str
    organization: str
    published: bool
    languages: list[str]
    hours_parsed: bool | None
    terms: list[tuple[str, str, str]] = field(default_factory=list)  # taxonomy, code, label
    channels: list[str] = field(default_factory=list)
    schedules: list[ScheduleRow] = field(default_factory=list)
    areas: list[tuple[str, str | None, str | None, str | None]] = field(default_factory=list)
    locations: list[tuple[str, Any, Any]] = field(default_factory=list)  # city, latitude, longitude
    programs: list[str] = field(default_factory=list)  # names of the programmes the window handles


def _load(ids: list[uuid.UUID]) -> list[_Source]:
    rows = Service.objects.filter(pk__in=ids).values_list(
        "id",
        "platform_id",
        "name",
        "alternate_name",
        "description",
        "eligibility_description",
        "organization__name",
        "publication",
        "status",
        "languages",
        "hours_parsed",
    )
    sources = {
        row[0]: _Source(
            id=row[0],
            platform_id=row[1],
            name=row[2],
            alternate_name=row[3],
            description=row[4],
            eligibility=row[5],
            organization=row[6],
            published=row[7] == Service.Publication.PUBLISHED and row[8] != Service.Status.DEFUNCT,
            languages=[str(code) for code in row[9] or [] if code],
            hours_parsed=row[10],
        )
        for row in rows
    }
    links = Service.terms.through.objects.filter(service_id__in=ids)
    for service_id, *term in links.values_list(
        "service_id", "taxonomyterm__taxonomy_id", "taxonomyterm__code", "taxonomyterm__name"
    ):
        sources[service_id].terms.append(tuple(term))  # type: ignore[arg-type]
    for service_id, kind in Channel.objects.filter(service_id__in=ids).values_list("service_id", "kind"):
        sources[service_id].channels.append(kind)
    for service_id, *row in Schedule.objects.filter(service_id__in=ids).values_list("service_id", *SCHEDULE_FIELDS):
        sources[service_id].schedules.append(ScheduleRow(*row))
    for service_id, *area in ServiceArea.objects.filter(service_id__in=ids).values_list(
        "service_id", "kind", "municipality_id", "municipality__prefecture_id", "prefecture_id"
    ):
        sources[service_id].areas.append(tuple(area))  # type: ignore[arg-type]
    for service_id, *location in ServiceAtLocation.objects.filter(service_id__in=ids).values_list(
        "service_id", "location__city", "location__latitude", "location__longitude"
    ):
        sources[service_id].locations.append(tuple(location))  # type: ignore[arg-type]
    # Programmes as the portal shows them (shown_program_links): 生活保護 finds the windows handling it.
    programs = (
        ServiceProgram.objects.filter(
            service_id__in=ids,
            platform=F("service__platform"),
            program__platform=F("service__platform"),
            program__publication=Service.Publication.PUBLISHED,
        )
        .exclude(program__status=Service.Status.DEFUNCT)
        .values_list("service_id", "local_name", "program__name")
    )
    for service_id, *names in programs:
        sources[service_id].programs.extend(name for name in names if name)
    return list(sources.values())


def _write(sources: list[_Source], analysed: Callable[[str], tuple[str, ...]]) -> int:
    documents = [
        ServiceDocument(
            service_id=source.id,
            platform_id=source.platform_id,
            body=" ".join(_body(source, analysed)),
            facets=" ".join(_facets(source)),
            sort_name=source.name[:300],
        )
        for source in sources
    ]
    # Primary keys come back from bulk_create on SQLite 3.35+ and PostgreSQL alike.
    ServiceDocument.objects.bulk_create(documents)
    points = [
        ServicePoint(document=document, latitude=float(latitude), longitude=float(longitude))
        for document, source in zip(documents, sources, strict=True)
        for _city, latitude, longitude in source.locations
        if latitude is not None and longitude is not None
    ]
    ServicePoint.objects.bulk_create(points)
    return len(documents)


def _body(source: _Source, analysed: Callable[[str], tuple[str, ...]]) -> list[str]:
    labels = [label for taxonomy, _code, label in source.terms if taxonomy in (NEEDS, TARGETS, ATTRIBUTES)]
    cities = sorted({city for city, _lat, _lon in source.locations if city})
    # The name comes twice: a word in the name says more about a service than one in its
    # description, and bm25 has only one text column to weigh.
    texts = [
        source.name,
        source.name,
        source.alternate_name,
        *source.programs,
        source.description,
        source.organization,
        *labels,
        source.eligibility,
        *cities,
    ]
    tokens: list[str] = []
    for text in texts:
        if text:
            tokens.extend(analysed(text))
    return tokens


def _facets(source: _Source) -> list[str]:
    tokens: list[str] = []
    if source.published:
        tokens.append(facets.visible(source.platform_id))
    for kind, municipality, municipality_prefecture, prefecture in source.areas:
        if kind == ServiceArea.Kind.NATIONWIDE:
            tokens.append(facets.NATIONWIDE)
        if municipality and municipality_prefecture:
            tokens.append(facets.area_municipality(municipality))
            tokens.append(facets.area_in_prefecture(municipality_prefecture))
        if prefecture:
            tokens.append(facets.area_in_prefecture(prefecture))
            if kind == ServiceArea.Kind.PREFECTURE:
                tokens.append(facets.area_prefecture(prefecture))
    for taxonomy, code, _label in source.terms:
        if taxonomy == NEEDS:
            tokens.append(facets.need(code))
        elif taxonomy == TARGETS:
            tokens.append(facets.target(code))
        elif taxonomy == ATTRIBUTES:
            tokens.append(facets.attribute(code))
    tokens.extend(facets.channel(kind) for kind in source.channels)
    # A listing that names no language is in Japanese.
    for code in source.languages or ["ja"]:
        tokens.append(facets.language(code))
        tokens.append(facets.language(code.split("-")[0]))
    tokens.extend(_hours_facets(source))
    if source.published:
        tokens.extend([facets.visible_in(source.platform_id, token) for token in tokens if facets.is_area(token)])
    return list(dict.fromkeys(token for token in tokens if token))


def _hours_facets(source: _Source) -> list[str]:
    """Tokens that let "open now" find candidates by weekday and hour, mirroring directory.opening.is_open."""
    # is_open() says "don't know" for unparsed hours and for a service without schedules.
    if not source.schedules or source.hours_parsed is False:
        return []
    if any(s.closed_unlisted_days for s in source.schedules):
        # Closed on days nobody dated: is_open() never says "open", so "open now" must not find it.
        return []
    tokens = [facets.HOURS_KNOWN]
    for s in source.schedules:
        tokens.extend(facets.closed_on_date(month, day) for month, day in parse_closed_dates(s.closed_dates))
    if any(s.closed_on_holidays for s in source.schedules):
        tokens.append(facets.CLOSED_ON_HOLIDAYS)
    if any(s.closed_year_end for s in source.schedules):
        tokens.append(facets.CLOSED_YEAR_END)
    if any(s.open_24h for s in source.schedules):
        tokens.append(facets.OPEN_24H)
        tokens.append(facets.attribute("open_24h"))
    for s in source.schedules:
        if s.open_24h or s.opens_at is None or s.closes_at is None or s.closes_at <= s.opens_at:
            continue
        # Every hour the interval touches; the exact minutes are compared in SQL at query time.
        last_hour = s.closes_at.hour if (s.closes_at.minute or s.closes_at.second) else s.closes_at.hour - 1
        # And every hour it covers from start to end, for which "open now" need not look closer.
        first_full = s.opens_at.hour if s.opens_at == s.opens_at.replace(minute=0, second=0) else s.opens_at.hour + 1
        opening = opening_from_byday(s.byday, s.opens_at, s.closes_at)
        for weekday in opening.weekdays:
            tokens.extend(facets.open_hour(weekday, hour) for hour in range(s.opens_at.hour, last_hour + 1))
            if not opening.weeks_of_month:  # a monthly day is always checked against its week in SQL
                tokens.extend(facets.open_full_hour(weekday, hour) for hour in range(first_full, s.closes_at.hour))
    return tokens
