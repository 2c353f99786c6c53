"""Counts portal use per platform and day: pages seen, searches, chats started. Nothing about who.

A middleware rather than a line in each view, so that pages served from the page cache count too.
Counts are kept in the process's memory and written at most once every USAGE_FLUSH_SECONDS
(default 60) in one upsert per platform, day and kind, and when the process exits: a cached portal
page still costs no query, and the database sees a handful of writes a minute however busy the
portal is. What a process held when it was killed is lost (a minute of counts at most); these are
statistics, not records. A failed write is logged and never fails a page.
"""

from __future__ import annotations

import atexit
import datetime
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .models import UsageDailyCount

log = logging.getLogger(__name__)

# Portal pages that count as a visit (a search results page counts as a search, not a visit).
VISIT_PAGES = frozenset({"portal:home", "portal:service", "portal:map", "events:list", "events:detail"})

_pending: Counter[tuple[str, datetime.date, str]] = Counter()
_lock = threading.Lock()
_last_flush = time.monotonic()


def note(platform_slug: str, kind: str) -> None:
    """Count one; write what this process holds once USAGE_FLUSH_SECONDS have passed since the last write."""
    with _lock:
        _pending[platform_slug, timezone.localdate(), kind] += 1
        due = time.monotonic() - _last_flush >= settings.USAGE_FLUSH_SECONDS
    if due:
        flush()


def flush() -> None:
    """Write every count this process holds (also called at exit, and by tests)."""
    global _last_flush
    with _lock:
        held = list(_pending.items())
        _pending.clear()
        _last_flush = time.monotonic()
    for (slug, day, kind), n in held:
        try:
            UsageDailyCount.add(slug, day, kind, n)
        except DatabaseError:
            log.warning("portal use not counted", exc_info=True)


atexit.register(flush)


class UsageCountMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        kind = self.kind(request, response)
        slug = (request.resolver_match.kwargs if request.resolver_match else {}).get("platform_slug")
        if kind and slug:
            note(slug, kind)
        return response

    @staticmethod
    def kind(request: HttpRequest, response: HttpResponse) -> str:
        match = request.resolver_match
        if match is None:
            return ""
        if request.method == "GET" and response.status_code == 200:
            if match.view_name == "portal:search":
                return UsageDailyCount.Kind.SEARCH
            if match.view_name in VISIT_PAGES:
                return UsageDailyCount.Kind.VISIT
        # The chat starts a conversation with a POST answered by a redirect to it.
        if request.method == "POST" and match.view_name == "finder:chat" and response.status_code == 302:
            return UsageDailyCount.Kind.CHAT
        return ""
