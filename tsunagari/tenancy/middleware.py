"""Activate the tenant scope for the Django admin; public views enter their own platform's scope."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext

from django.http import HttpRequest, HttpResponse

from tsunagari.accounts.models import staff_platform_ids

from .scoping import scope, scopes_disabled


class ScopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/admin/"):
            return self.get_response(request)
        user = request.user
        if user.is_authenticated and user.is_superuser:
            context = scopes_disabled()
        elif user.is_authenticated:
            # Staff see and edit only the platforms they coordinate.
            context = scope(platform=staff_platform_ids(user))
        else:
            context = nullcontext()
        with context:
            return self.get_response(request)
