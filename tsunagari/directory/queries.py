"""Reusable directory look-ups, run inside a platform scope."""

from __future__ import annotations

import uuid

from django.db.models import F, Q, QuerySet
from django.http import Http404

from tsunagari.tenancy.models import Municipality, Platform
from tsunagari.tenancy.scoping import scope

from .models import CrisisLine, Service, ServiceArea, ServiceProgram, ServiceQuerySet, SupportProgram


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


def municipality_filter(municipality: Municipality) -> Q:
    """Services whose area takes in `municipality` (its own, its prefecture's, nationwide ones)."""
    return (
        Q(service_areas__municipality_id=municipality.code)
        | Q(service_areas__kind=ServiceArea.Kind.PREFECTURE, service_areas__prefecture_id=municipality.prefecture_id)
        | Q(service_areas__kind=ServiceArea.Kind.NATIONWIDE)
    )


def services_in_reach(platform: Platform, municipality: Municipality | None = None) -> ServiceQuerySet:
    """The windows a resident of `municipality` (else of the platform's area) can go to, as the portal shows them.

    The national portal shows the whole country's windows: a resident of one town must not be sent
    to another town's office, so with a municipality the area must take it in.
    """
    services = platform_services(platform)
    if municipality is not None and platform.kind != Platform.Kind.MUNICIPALITY:
        ids = Service.objects.published().filter(municipality_filter(municipality)).values("pk")
        services = services.filter(pk__in=ids)
    return services


def platform_programs(platform: Platform, municipality: Municipality | None = None) -> QuerySet[SupportProgram]:
    """The programmes a portal lists: national ones, and those of its municipality (or of `municipality`).

    A prefecture's portal lists the programmes of its municipalities; the national portal lists only
    national ones until a municipality is chosen. Published and not withdrawn, like the windows.
    """
    local = Q(platform=platform) if not platform.is_national else Q(pk__in=[])
    if municipality is not None:
        local |= Q(municipality_id=municipality.code)
    elif platform.kind == Platform.Kind.MUNICIPALITY:
        local |= Q(municipality_id=platform.municipality_id)
    elif platform.kind == Platform.Kind.PREFECTURE:
        local |= Q(municipality__prefecture_id=platform.prefecture_id)
    return (
        SupportProgram.objects.filter(publication=Service.Publication.PUBLISHED)
        .exclude(status=Service.Status.DEFUNCT)
        .filter(Q(scope=SupportProgram.Scope.NATIONAL) | local)
        .select_related("municipality", "dataset")
        .order_by("name", "pk")
    )


def get_service(platform: Platform, service_id: uuid.UUID) -> Service:
    """One service the portal shows (404 for missing and not shown alike)."""
    try:
        return detail_queryset(platform).get(pk=service_id)
    except Service.DoesNotExist:
        raise Http404 from None
