"""Session idle timeout, and two-factor authentication before the workspace and the admin."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import requires_mfa

LAST_SEEN_KEY = "tsunagari.last_seen"
# Writing the session on every request would cost a database write each time; a minute's
# precision is plenty for a 30-minute timeout.
LAST_SEEN_PRECISION = 60


class IdleTimeoutMiddleware:
    """Sign a person out after SESSION_IDLE_MINUTES without a request (0 turns this off)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        idle_seconds = settings.SESSION_IDLE_MINUTES * 60
        if idle_seconds and request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > idle_seconds:
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
