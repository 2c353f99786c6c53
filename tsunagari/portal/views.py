"""Public pages. Views are adapters: resolve the platform, enter its scope, query, render."""

from __future__ import annotations

import uuid

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from tsunagari.directory.models import CrisisLine, Service
from tsunagari.directory.queries import national_lines, platform_services
from tsunagari.tenancy.access import get_public_platform, get_staff_platform
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import platform_scope


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def national_home(request: HttpRequest) -> HttpResponse:
    platforms = Platform.objects.public().exclude(kind=Platform.Kind.NATIONAL).select_related("prefecture")
    return render(request, "portal/national_home.html", {"platforms": platforms, "lines": national_lines()})


def platform_home(request: HttpRequest, platform_slug: str) -> HttpResponse:
    platform = get_public_platform(platform_slug)
    with platform_scope(platform):
        services = list(platform_services(platform).order_by("name")[:50])
        lines = list(CrisisLine.objects.all())
        return render(
            request,
            "portal/platform_home.html",
            {"platform": platform, "services": services, "lines": lines},
        )


def service_detail(request: HttpRequest, platform_slug: str, service_id: uuid.UUID) -> HttpResponse:
    platform = get_public_platform(platform_slug)
    with platform_scope(platform):
        try:
            service = (
                platform_services(platform)
                .select_related("organization", "dataset")
                .prefetch_related("channels", "schedules", "service_areas", "terms", "service_at_locations__location")
                .get(pk=service_id)
            )
        except Service.DoesNotExist:
            raise Http404 from None
        lines = list(CrisisLine.objects.all())
        return render(request, "portal/service_detail.html", {"platform": platform, "service": service, "lines": lines})


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
