"""Building the search documents from the directory.

`reindex_services(ids)` is the one entry point: the importer calls it after a write, the signals
call it after a save, and `python -m tsunagari reindex` calls it for everything.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.db import connection, transaction
from django.db.models import Prefetch

from tsunagari.directory.models import (
    ATTRIBUTES,
    NEEDS,
    TARGETS,
    Channel,
    Location,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from tsunagari.directory.opening import byday_to_weekdays
from tsunagari.lib.japanese import analyze
from tsunagari.tenancy.scoping import scopes_disabled

from . import facets
from .models import ServiceDocument, ServicePoint
from .signals import forget_pending

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
            ServicePoint.objects.all().delete()
            ServiceDocument.objects.all().delete()
            ids = list(Service.objects.order_by("pk").values_list("pk", flat=True))
        else:
            ids = sorted({uuid.UUID(str(pk)) for pk in service_ids})
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            if service_ids is not None:
                ServicePoint.objects.filter(document__service_id__in=batch).delete()
                ServiceDocument.objects.filter(service_id__in=batch).delete()
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


def _load(ids: list[uuid.UUID]) -> list[Service]:
    return list(
        Service.objects.filter(pk__in=ids)
        .select_related("organization")
        .prefetch_related(
            Prefetch("terms", queryset=TaxonomyTerm.objects.only("id", "taxonomy_id", "code", "name")),
            Prefetch("channels", queryset=Channel.objects.only("id", "service_id", "kind")),
            Prefetch("schedules", queryset=Schedule.objects.all()),
            Prefetch("service_areas", queryset=ServiceArea.objects.select_related("municipality")),
            Prefetch("service_at_locations", queryset=ServiceAtLocation.objects.select_related("location")),
        )
    )


def _write(services: list[Service], analysed: Callable[[str], tuple[str, ...]]) -> int:
    documents = [
        ServiceDocument(
            service=service,
            platform_id=service.platform_id,
            body=" ".join(_body(service, analysed)),
            facets=" ".join(_facets(service)),
            sort_name=service.name[:300],
        )
        for service in services
    ]
    # Primary keys come back from bulk_create on SQLite 3.35+ and PostgreSQL alike.
    ServiceDocument.objects.bulk_create(documents)
    points = [
        ServicePoint(document=document, latitude=float(location.latitude), longitude=float(location.longitude))
        for document, service in zip(documents, services, strict=True)
        for location in _locations(service)
        if location.latitude is not None and location.longitude is not None
    ]
    ServicePoint.objects.bulk_create(points)
    return len(documents)


def _locations(service: Service) -> list[Location]:
    return [sal.location for sal in service.service_at_locations.all()]


def _body(service: Service, analysed: Callable[[str], tuple[str, ...]]) -> list[str]:
    labels = [t.name for t in service.terms.all() if t.taxonomy_id in (NEEDS, TARGETS, ATTRIBUTES)]
    cities = sorted({location.city for location in _locations(service) if location.city})
    # The name comes twice: a word in the name says more about a service than one in its
    # description, and bm25 has only one text column to weigh.
    texts = [
        service.name,
        service.name,
        service.alternate_name,
        service.description,
        service.organization.name,
        *labels,
        service.eligibility_description,
        *cities,
    ]
    tokens: list[str] = []
    for text in texts:
        if text:
            tokens.extend(analysed(text))
    return tokens


def _facets(service: Service) -> list[str]:
    tokens: list[str] = []
    published = service.publication == Service.Publication.PUBLISHED and service.status != Service.Status.DEFUNCT
    if published:
        tokens.append(facets.visible(service.platform_id))
    for area in service.service_areas.all():
        if area.kind == ServiceArea.Kind.NATIONWIDE:
            tokens.append(facets.NATIONWIDE)
        if area.municipality is not None:
            tokens.append(facets.area_municipality(area.municipality.code))
            tokens.append(facets.area_in_prefecture(area.municipality.prefecture_id))
        if area.prefecture_id:
            tokens.append(facets.area_in_prefecture(area.prefecture_id))
            if area.kind == ServiceArea.Kind.PREFECTURE:
                tokens.append(facets.area_prefecture(area.prefecture_id))
    for t in service.terms.all():
        if t.taxonomy_id == NEEDS:
            tokens.append(facets.need(t.code))
        elif t.taxonomy_id == TARGETS:
            tokens.append(facets.target(t.code))
        elif t.taxonomy_id == ATTRIBUTES:
            tokens.append(facets.attribute(t.code))
    tokens.extend(facets.channel(c.kind) for c in service.channels.all())
    languages = [str(code) for code in service.languages or [] if code]
    # A listing that names no language is in Japanese.
    for code in languages or ["ja"]:
        tokens.append(facets.language(code))
        tokens.append(facets.language(code.split("-")[0]))
    tokens.extend(_hours_facets(service))
    return list(dict.fromkeys(token for token in tokens if token))


def _hours_facets(service: Service) -> list[str]:
    """Tokens that let "open now" find candidates by weekday and hour, mirroring directory.opening.is_open."""
    schedules = list(service.schedules.all())
    # is_open() says "don't know" for unparsed hours and for a service without schedules.
    if not schedules or service.hours_parsed is False:
        return []
    tokens = [facets.HOURS_KNOWN]
    if any(s.closed_on_holidays for s in schedules):
        tokens.append(facets.CLOSED_ON_HOLIDAYS)
    if any(s.closed_year_end for s in schedules):
        tokens.append(facets.CLOSED_YEAR_END)
    if any(s.open_24h for s in schedules):
        tokens.append(facets.OPEN_24H)
        tokens.append(facets.attribute("open_24h"))
    for s in schedules:
        if s.open_24h or s.opens_at is None or s.closes_at is None or s.closes_at <= s.opens_at:
            continue
        # Every hour the interval touches; the exact minutes are compared in SQL at query time.
        last_hour = s.closes_at.hour if (s.closes_at.minute or s.closes_at.second) else s.closes_at.hour - 1
        for weekday in byday_to_weekdays(s.byday):
            tokens.extend(facets.open_hour(weekday, hour) for hour in range(s.opens_at.hour, last_hour + 1))
    return tokens
