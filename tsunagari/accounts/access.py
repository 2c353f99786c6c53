"""Look a platform up for its coordinators, with one 404 for "missing" and "not yours"."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from tsunagari.tenancy.models import Platform

from .models import staff_platform_ids


def get_staff_platform(request: HttpRequest, slug: str) -> Platform:
    """The platform `slug` if the signed-in person coordinates it; otherwise 404, never 403."""
    user = request.user
    try:
        platform = Platform.objects.select_related("prefecture", "municipality").get(slug=slug)
    except Platform.DoesNotExist:
        raise Http404 from None
    if not (user.is_authenticated and (user.is_superuser or platform.pk in staff_platform_ids(user))):
        raise Http404
    return platform
