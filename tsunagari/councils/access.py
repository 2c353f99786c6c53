"""Who may open the councils' pages: coordinators run the register, supporters only report, triage is sealed.

- The register and the supporters list: the platform's coordinators (workspace_view, 403 for other roles).
- The concern form: active supporters of the platform and the platform's working members; a former
  supporter, anyone from another platform or with no role gets 404 (the supporter has no workspace
  role, so every other workspace page is 404 for them too).
- The triage queue: the platform's coordinators only (a superuser is not one), with two-factor
  authentication and a valid confidentiality pledge; everyone else 404. Never cached; every request
  that reaches a concern is written to the case log (cases/caselog.py), as for a case page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.cache import patch_cache_control

from tsunagari.accounts.models import Membership, Role
from tsunagari.cases.access import log_request
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import platform_scope
from tsunagari.workspace.access import WRITERS, Workspace, workspace_view

from .models import Supporter
from .pledges import has_valid_pledge

coordinator_view = workspace_view(roles={Role.COORDINATOR})


def active_supporter(user: Any, platform: Platform) -> Supporter | None:
    """`user`'s current supporter registration on `platform` (inside its scope), if any."""
    return Supporter.objects.filter(platform=platform, user=user, ended_at__isnull=True).first()


def supporter_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A page for reporting a concern: `view(request, platform, supporter_or_none, **kwargs)`."""

    @wraps(view)
    def wrapper(request: HttpRequest, platform_slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        platform = Platform.objects.filter(slug=platform_slug).first()
        if platform is None:
            raise Http404
        with platform_scope(platform, with_national=False):
            supporter = active_supporter(request.user, platform)
            if supporter is None:
                roles = Membership.objects.roles_of(request.user, platform)
                if not roles and not request.user.is_superuser:
                    raise Http404
                if not request.user.is_superuser and not roles.intersection(WRITERS):
                    raise PermissionDenied
            response = view(request, platform, supporter, *args, **kwargs)
        patch_cache_control(response, no_store=True, private=True)
        return response

    return wrapper


def triage_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A page over concerns: the platform's coordinators, two-factor, pledge signed, never cached.

    The view is called as `view(request, workspace, **kwargs)`.
    """

    @workspace_view()
    @wraps(view)
    def wrapper(request: HttpRequest, workspace: Workspace, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if Role.COORDINATOR not in workspace.roles:
            raise Http404
        if not is_mfa_enabled(request.user, [Authenticator.Type.TOTP]):
            response: HttpResponseBase = HttpResponseRedirect(
                reverse("mfa_activate_totp") + "?" + urlencode({"next": request.get_full_path()})
            )
        elif not has_valid_pledge(request.user, workspace.platform):
            if request.resolver_match is None or request.resolver_match.url_name != "concerns":
                log_request(request, workspace.platform.pk, (), 404)
                raise Http404
            response = HttpResponseRedirect(reverse("workspace:pledge", args=[workspace.platform.slug]))
        else:
            # Concerns are about people: every request that reaches them goes to the case log, like
            # a case page (refused ones too), with the concern's id; never its text.
            status = 500
            try:
                response = view(request, workspace, *args, **kwargs)
                status = response.status_code
            except Http404:
                status = 404
                raise
            finally:
                log_request(request, workspace.platform.pk, (), status)
        patch_cache_control(response, no_store=True, private=True)
        return response

    # Marks the view as case-logged; the walk over the concern URLs checks it (tests/cases/test_case_log.py).
    wrapper.case_logged = True  # type: ignore[attr-defined]
    return wrapper
