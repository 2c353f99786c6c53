"""Reusable directory look-ups, run inside a platform scope."""

from __future__ import annotations

import uuid

from django.db.models import F, Q, QuerySet
from django.http import Http404

from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import scope

from .models import CrisisLine, Service, ServiceArea, ServiceProgram, ServiceQuerySet


def area_filter(platform: Platform) -> Q:
    """Services whose area touches the platform's area (nationwide services touch every area)."""
    if platform.is_national:
        return Q()
    nationwide = Q(service_areas__kind=ServiceArea.Kind.NATIONWIDE)
    if platform.kind == Platform.Kind.MUNICIPALITY:
        return (
            Q(platform=platform)
            | Q(service_areas__municipality_id=platform.municipality_id)
            | Q(service_areas__kind=ServiceArea.Kind.PREFECTURE, service_areas__prefecture_id=platform.prefecture_id)
            | nationwide
        )
    return (
        Q(platform=platform)
        | Q(service_areas__municipality__prefecture_id=platform.prefecture_id)
        | Q(service_areas__prefecture_id=platform.prefecture_id)
        | nationwide
    )


def platform_services(platform: Platform) -> ServiceQuerySet:
    """The published services a platform's portal shows: its own, and the open data for its area."""
    ids = Service.objects.published().filter(area_filter(platform)).values("pk")
    return Service.objects.published().filter(pk__in=ids)


def national_lines() -> list[CrisisLine]:
    """The national 24-hour and emergency lines (none until the open data is imported)."""
    national = Platform.objects.filter(kind=Platform.Kind.NATIONAL).first()
    if national is None:
        return []
    with scope(platform=[national.pk]):
        return list(CrisisLine.objects.all())


def detail_queryset(platform: Platform) -> QuerySet[Service]:
    """The services `platform`'s portal shows, with everything a detail page reads."""
    return (
        platform_services(platform)
        .select_related("organization", "dataset")
        .prefetch_related(
            "channels",
            "schedules",
            "service_areas__municipality",
            "service_areas__prefecture",
            "terms__taxonomy",
            "service_at_locations__location",
        )
    )


def shown_program_links() -> QuerySet[ServiceProgram]:
    """A window's links to the programmes it handles that residents may see (published, not withdrawn).

    Read inside the platform's scope like everything else: another platform's links and local
    programmes are never in it.
    """
    return (
        # A link and its programme belong to the same platform: a link never reaches outside.
        ServiceProgram.objects.filter(
            program__platform=F("platform"), program__publication=Service.Publication.PUBLISHED
        )
        .exclude(program__status=Service.Status.DEFUNCT)
        .select_related("program")
        .order_by("-is_local_link", "program__name", "pk")
    )


def get_service(platform: Platform, service_id: uuid.UUID) -> Service:
    """One service the portal shows (404 for missing and not shown alike)."""
    try:
        return detail_queryset(platform).get(pk=service_id)
    except Service.DoesNotExist:
        raise Http404 from None
