"""Public pages. Views are adapters: resolve the platform, enter its scope, query, render."""

from __future__ import annotations

import uuid
from typing import Any

import segno
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django_scopes import get_scope

from tsunagari.directory.models import Channel, CrisisLine, Location, Service
from tsunagari.directory.opening import is_open
from tsunagari.directory.queries import national_lines, platform_services
from tsunagari.directory.signals import directory_version
from tsunagari.directory.taxonomy import read_terms
from tsunagari.portal.forms import SearchForm
from tsunagari.portal.pagecache import anonymous_page_cache
from tsunagari.tenancy.access import get_public_platform, get_staff_platform
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import platform_scope

# The need tiles on a portal's home, in the order a person in difficulty scans them.
HOME_NEEDS = (
    "suicide",
    "mental_health",
    "loneliness",
    "violence",
    "money",
    "food",
    "housing",
    "debt",
    "work",
    "caregiving",
    "hikikomori",
    "parenting",
    "school",
    "health",
    "disability",
    "unsure",
)


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def national_home(request: HttpRequest) -> HttpResponse:
    platforms = Platform.objects.public().exclude(kind=Platform.Kind.NATIONAL).select_related("prefecture")
    lines = national_lines()
    return render(request, "portal/national_home.html", {"platforms": platforms, "lines": lines})


def crisis_lines() -> list[CrisisLine]:
    """The platform's local lines and the national ones (call inside the platform's scope).

    On every portal page: kept in the cache per scope until the directory changes (a change to a
    line changes directory_version, as any directory write does).
    """
    platforms = get_scope().get("platform")
    if not isinstance(platforms, list):
        return list(CrisisLine.objects.all())
    key = f"crisis-lines:{','.join(map(str, sorted(platforms)))}:{directory_version()}"
    lines = cache.get(key)
    if lines is None:
        lines = list(CrisisLine.objects.all())
        cache.set(key, lines, 3600)
    return lines


def need_tiles() -> list[dict[str, str]]:
    labels = {row["code"]: row for row in read_terms("needs.tsv")}
    return [labels[code] for code in HOME_NEEDS if code in labels]


def platform_home(request: HttpRequest, platform_slug: str) -> HttpResponse:
    platform = get_public_platform(platform_slug)
    with platform_scope(platform):
        context = {
            "platform": platform,
            "lines": crisis_lines(),
            "needs": need_tiles(),
            "own_services": list(Service.objects.published().filter(platform=platform).order_by("name")[:20]),
            "service_count": platform_services(platform).count(),
        }
        return render(request, "portal/platform_home.html", context)


def detail_queryset(platform: Platform) -> QuerySet[Service]:
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


def get_service(platform: Platform, service_id: uuid.UUID) -> Service:
    try:
        return detail_queryset(platform).get(pk=service_id)
    except Service.DoesNotExist:
        raise Http404 from None


def service_context(request: HttpRequest, platform: Platform, service: Service) -> dict[str, Any]:
    locations = [sal.location for sal in service.service_at_locations.all()]
    return {
        "platform": platform,
        "service": service,
        "lines": crisis_lines(),
        "open_now": is_open(service, timezone.now()),
        "locations": locations,
        "mapped": [loc for loc in locations if loc.latitude is not None],
        "needs": [t for t in service.terms.all() if t.taxonomy_id == "tsunagari-needs"],
        "targets": [t for t in service.terms.all() if t.taxonomy_id == "tsunagari-targets"],
        "attributes": [t for t in service.terms.all() if t.taxonomy_id == "tsunagari-attributes"],
        "page_url": request.build_absolute_uri(request.path),
    }


def service_detail(request: HttpRequest, platform_slug: str, service_id: uuid.UUID) -> HttpResponse:
    platform = get_public_platform(platform_slug)
    with platform_scope(platform):
        service = get_service(platform, service_id)
        return render(request, "portal/service_detail.html", service_context(request, platform, service))


def service_print(request: HttpRequest, platform_slug: str, service_id: uuid.UUID) -> HttpResponse:
    """A one-page print-out with a QR code back to the live page (for cards and counters)."""
    platform = get_public_platform(platform_slug)
    with platform_scope(platform):
        service = get_service(platform, service_id)
        context = service_context(request, platform, service)
        live_url = request.build_absolute_uri(f"/{platform.slug}/services/{service.pk}/")
        context["qr_svg"] = segno.make(live_url, error="m").svg_inline(scale=4, title=service.name)
        context["live_url"] = live_url
        return render(request, "portal/service_print.html", context)


@require_GET
@cache_control(public=True, max_age=3600)
def qr_code(request: HttpRequest, platform_slug: str) -> HttpResponse:
    """A QR code (SVG) for any page of this portal, for posters and cards: ?path=/slug/…"""
    platform = get_public_platform(platform_slug)
    path = request.GET.get("path", f"/{platform.slug}/")
    # Only this portal's own pages: a QR code must never point residents somewhere else.
    if not path.startswith(f"/{platform.slug}/") or "//" in path or "\\" in path or "\n" in path:
        return HttpResponse(
            "このポータルのページのみQRコードにできます。", status=400, content_type="text/plain; charset=utf-8"
        )
    qr = segno.make(request.build_absolute_uri(path), error="m")
    return HttpResponse(qr.svg_inline(scale=6, title=platform.name), content_type="image/svg+xml")


def map_page(request: HttpRequest, platform_slug: str) -> HttpResponse:
    platform = get_public_platform(platform_slug)
    with platform_scope(platform):
        return render(
            request,
            "portal/map.html",
            {
                "platform": platform,
                "lines": crisis_lines(),
                "tile_url": settings.MAP_TILE_URL,
                "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            },
        )


@cache_control(public=True, max_age=300)
def map_data(request: HttpRequest, platform_slug: str) -> JsonResponse:
    """GeoJSON of the platform's mapped locations, one feature per service at a location."""
    platform = get_public_platform(platform_slug)
    with platform_scope(platform):
        services = platform_services(platform).values("pk")
        rows = (
            Location.objects.filter(service_at_locations__service__in=services, latitude__isnull=False)
            .values_list(
                "latitude",
                "longitude",
                "service_at_locations__service_id",
                "service_at_locations__service__name",
                "address_1",
            )
            .order_by()[:20000]
        )
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(lon or 0), float(lat or 0)]},
                "properties": {"name": name, "address": address, "url": f"/{platform.slug}/services/{sid}/"},
            }
            for lat, lon, sid, name, address in rows
        ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


def staff_home(request: HttpRequest, platform_slug: str) -> HttpResponse:
    """The coordinators' overview: stale and review-flagged listings, drafts."""
    platform = get_staff_platform(request, platform_slug)
    with platform_scope(platform, with_national=False):
        own = Service.objects.filter(platform=platform)
        context = {
            "platform": platform,
            "stale": list(own.stale().order_by("last_verified_on")[:200]),
            "needs_review": list(own.filter(needs_review=True)[:200]),
            "drafts": list(own.filter(publication=Service.Publication.DRAFT)[:200]),
        }
        return render(request, "portal/staff_home.html", context)


@anonymous_page_cache
def search(request: HttpRequest, platform_slug: str) -> HttpResponse:
    """Results with filters; a plain GET form, so it works without JavaScript."""
    from tsunagari.search.query import search_services

    platform = get_public_platform(platform_slug)
    form = SearchForm(request.GET or None)
    with platform_scope(platform):
        results = None
        rows: list[dict[str, Any]] = []
        if form.is_bound and form.is_valid():
            # A results page shows each service's name, organisation, phone numbers and whether it
            # is open now: channels and schedules are all it needs.
            results = search_services(platform=platform, relations=("channels", "schedules"), **form.search_kwargs())
            now = timezone.now()
            # One reverse() for the page, not one per result: the address differs only by the id.
            placeholder = uuid.UUID(int=0)
            detail_url = reverse("portal:service", args=[platform.slug, placeholder])
            rows = [
                {
                    "service": service,
                    "url": detail_url.replace(str(placeholder), str(service.pk)),
                    "open_now": is_open(service, now),
                    "phones": [c for c in service.channels.all() if c.kind == Channel.Kind.PHONE and c.href],
                }
                for service in results.services
            ]
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "portal/search.html",
            {
                "platform": platform,
                "lines": crisis_lines(),
                "form": form,
                "results": results,
                "rows": rows,
                "query_string": query.urlencode(),
            },
        )
