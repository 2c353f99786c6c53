"""The public HSDS 3.0 API."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse


def root(request: HttpRequest, platform_slug: str | None = None) -> JsonResponse:
    return JsonResponse({"version": "3.0"})


def rate_limited(request: HttpRequest, exception: Exception) -> JsonResponse:
    return JsonResponse({"detail": "リクエストが多すぎます。しばらく待ってからもう一度お試しください。"}, status=429)
