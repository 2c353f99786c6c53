"""A short-lived cache of whole portal pages for residents who are not signed in.

A page is the same for every anonymous resident who asks the same thing in the same language
while the data behind it is unchanged. The key holds the address, the language, the directory's
version (any write to the directory changes it) and the portal's version (platforms and events);
results pages, which say which windows are open now, also hold the minute. Signed-in people (a
session cookie) and anyone with a pending message never share a page. The pages cached carry no
CSRF token (the language switch needs none: see urls.py).

Two layers: each process keeps the pages it served last in its own memory, in front of the
"pages" cache (Redis when there is one; otherwise each process's memory too, see settings.CACHES). Both layers are
correct across processes for the same reason: the versions are read from the shared cache on
every request (one read for both), so a write seen by any process changes every key at once.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

from tsunagari.directory.signals import DIRECTORY_VERSION_KEY, directory_version

__all__ = ["anonymous_page_cache", "bump_portal_version", "cached_page"]

KEY_PREFIX = "portal-page:"
PORTAL_VERSION_KEY = "portal-version"
# Pages kept in each process's memory: at about 15 KB a page, a few megabytes.
LOCAL_ENTRIES = 300

_local: OrderedDict[str, tuple[float, bytes, str]] = OrderedDict()


def bump_portal_version(**_kwargs: Any) -> None:
    """Called when what a portal page shows beside the directory changes (a platform, an event)."""
    try:
        cache.incr(PORTAL_VERSION_KEY)
    except ValueError:
        _start_portal_version()


def _start_portal_version() -> int:
    # A random start, not 1: when the shared cache is emptied (a restart of Redis, cache.clear()),
    # the directory's version starts again at 1, and the pages a process still holds in memory
    # must not match the new keys.
    cache.add(PORTAL_VERSION_KEY, secrets.randbelow(10**12) + 1, timeout=None)
    return int(cache.get(PORTAL_VERSION_KEY, 0))


def _versions() -> str:
    found = cache.get_many([DIRECTORY_VERSION_KEY, PORTAL_VERSION_KEY])
    directory = found.get(DIRECTORY_VERSION_KEY)
    if directory is None:
        directory = directory_version()
    portal = found.get(PORTAL_VERSION_KEY)
    if portal is None:
        portal = _start_portal_version()
    return f"{directory}.{portal}"


def _key(request: HttpRequest, *, per_minute: bool) -> str | None:
    seconds = settings.PORTAL_PAGE_CACHE_SECONDS
    if seconds <= 0 or request.method != "GET":
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return None
    minute = timezone.now().strftime("%Y%m%d%H%M") if per_minute else ""
    raw = f"{request.get_full_path()}|{get_language()}|{_versions()}|{minute}"
    return KEY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def _local_get(key: str) -> tuple[bytes, str] | None:
    entry = _local.get(key)
    if entry is None:
        return None
    expires, content, content_type = entry
    if expires < time.monotonic():
        _local.pop(key, None)
        return None
    return content, content_type


def _local_set(key: str, content: bytes, content_type: str, seconds: int) -> None:
    _local[key] = (time.monotonic() + seconds, content, content_type)
    _local.move_to_end(key)
    while len(_local) > LOCAL_ENTRIES:
        _local.popitem(last=False)


def cached_page(*, per_minute: bool) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Serve the page from the caches for anonymous residents; store successful renders.

    `per_minute`: the page depends on the time (open now), so it is kept for the minute only.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            key = _key(request, per_minute=per_minute)
            seconds = settings.PORTAL_PAGE_CACHE_SECONDS
            if key is not None:
                found = _local_get(key)
                if found is None:
                    found = caches["pages"].get(key)
                    if found is not None:
                        _local_set(key, found[0], found[1], seconds)
                if found is not None:
                    content, content_type = found
                    return HttpResponse(content, content_type=content_type)
            response = view(request, *args, **kwargs)
            if key is not None and response.status_code == 200 and not response.cookies and not response.streaming:
                caches["pages"].set(key, (response.content, response["Content-Type"]), seconds)
                _local_set(key, response.content, response["Content-Type"], seconds)
            return response

        return wrapper

    return decorator


anonymous_page_cache = cached_page(per_minute=True)
