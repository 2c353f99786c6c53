"""Session idle timeout, two-factor authentication before the workspace and the admin, no caching of them."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _

from tsunagari.tenancy.scoping import scope, scopes_disabled

from .models import may_open_case_records, requires_mfa, staff_platform_ids

LAST_SEEN_KEY = "tsunagari.last_seen"
# Writing the session on every request would cost a database write each time; a minute's
# precision is plenty for a 30-minute timeout.
LAST_SEEN_PRECISION = 60


def _too_idle(user: Any, idle: int) -> bool:
    """Whether `idle` seconds without a request end `user`'s session."""
    limit = settings.SESSION_IDLE_MINUTES * 60
    if limit and idle > limit:
        return True
    shorter = settings.CASES_SESSION_IDLE_MINUTES * 60
    # The query runs only for a session idle longer than the shorter limit, not on every request.
    return bool(shorter) and idle > shorter and (not limit or shorter < limit) and may_open_case_records(user)


class IdleTimeoutMiddleware:
    """Sign a person out after SESSION_IDLE_MINUTES without a request (0 turns this off).

    People who may open case records (member organisations' administrators and staff) are signed
    out after CASES_SESSION_IDLE_MINUTES (15 by default) when that is shorter: a screen left open
    in a shared office would show people's most sensitive data (issue 11 item 11).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and (settings.SESSION_IDLE_MINUTES or settings.CASES_SESSION_IDLE_MINUTES):
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and _too_idle(request.user, now - last_seen):
                logout(request)
                messages.info(request, _("You were signed out after a time without activity. Please sign in again."))
            elif last_seen is None or now - last_seen >= LAST_SEEN_PRECISION:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def _needs_second_factor(request: HttpRequest) -> bool:
    match = request.resolver_match
    if match is None:
        return False
    if "workspace" in match.namespaces:
        return True
    if "admin" in match.namespaces:
        # The admin's own login page is handed to allauth (accounts.apps); everything else counts.
        return match.url_name != "login"
    return match.view_name == "portal:staff"


class RequireMFAMiddleware:
    """Send coordinators and administrators without TOTP to set it up before workspace pages.

    A middleware rather than a decorator, so that every workspace page added later and the admin
    are covered without anyone remembering to.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or not _needs_second_factor(request):
            return None
        if not requires_mfa(user) or is_mfa_enabled(user, [Authenticator.Type.TOTP]):
            return None
        messages.warning(
            request,
            _("Your role needs two-factor authentication. Set up an authenticator app to continue."),
        )
        return HttpResponseRedirect(reverse("mfa_activate_totp") + "?" + urlencode({"next": request.get_full_path()}))


def _private_area(request: HttpRequest) -> bool:
    match = request.resolver_match
    if match is None:
        return False
    return bool({"workspace", "admin"} & set(match.namespaces)) or match.view_name == "portal:staff"


class NoStoreMiddleware:
    """`Cache-Control: no-store` on everything a signed-in person is sent, and on the workspace and admin.

    A page, an export or a file shown to a signed-in person carries their view of the platform
    (names, contacts, roles); no shared cache and no browser history on a shared computer may keep
    it. Replaces whatever caching a view asked for (the portal's public pages set max-age for
    anonymous residents). A middleware, so that every page and export added later is covered.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or _private_area(request):
            del response["Cache-Control"]
            del response["Expires"]
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


class ScopeMiddleware:
    """Activate the tenant scope for the Django admin: staff see only the platforms they coordinate.

    Public views and the workspace enter their own platform's scope themselves.
    """

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
