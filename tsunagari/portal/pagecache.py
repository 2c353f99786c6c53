"""A short-lived cache of whole portal pages for residents who are not signed in.

A results page is the same for every anonymous resident who asks the same thing in the same
language at the same minute: the page says which windows are open now, so the minute is part of
the key, with the directory's version (any write to the directory changes it) and the language.
Signed-in people (a session cookie) and anyone with a pending message never share a page. The
pages cached carry no CSRF token (the language switch needs none: see urls.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

from tsunagari.directory.signals import directory_version

__all__ = ["anonymous_page_cache"]

KEY_PREFIX = "portal-page:"


def _key(request: HttpRequest) -> str | None:
    seconds = settings.PORTAL_PAGE_CACHE_SECONDS
    if seconds <= 0 or request.method != "GET":
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return None
    minute = timezone.now().strftime("%Y%m%d%H%M")
    raw = f"{request.get_full_path()}|{get_language()}|{directory_version()}|{minute}"
    return KEY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def anonymous_page_cache(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the page from the cache for anonymous residents; store successful renders."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = _key(request)
        if key is not None:
            cached = cache.get(key)
            if cached is not None:
                content, content_type = cached
                return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if key is not None and response.status_code == 200 and not response.cookies and not response.streaming:
            cache.set(key, (response.content, response["Content-Type"]), settings.PORTAL_PAGE_CACHE_SECONDS)
        return response

    return wrapper
