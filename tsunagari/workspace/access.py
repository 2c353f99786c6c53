"""Access to a platform's workspace: one 404 for "no such platform" and "not yours".

Every workspace view goes through `workspace_view` (or `get_workspace` directly):
- anonymous visitors are sent to sign in;
- people with no role on the platform (outsiders, including other platforms' coordinators) get
  404, exactly as for a platform that does not exist;
- people of the platform whose role does not allow the page get 403: they know it exists;
- superusers may enter every workspace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from tsunagari.accounts.models import Membership, Role
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import platform_scope

P = ParamSpec("P")

# Roles that may change things in the workspace; observers only read.
WRITERS = frozenset({Role.COORDINATOR, Role.ORG_ADMIN, Role.ORG_STAFF})


@dataclass(frozen=True)
class Workspace:
    """A platform as one signed-in person may use it: the platform and the roles they hold on it."""

    platform: Platform
    roles: frozenset[str]
    is_superuser: bool = False

    def has_role(self, *roles: str) -> bool:
        """Whether the person holds one of `roles` here (superusers count as holding every role)."""
        return self.is_superuser or bool(self.roles.intersection(roles))

    @property
    def is_coordinator(self) -> bool:
        return self.has_role(Role.COORDINATOR)

    @property
    def is_read_only(self) -> bool:
        return not self.has_role(*WRITERS)

    def role_labels(self) -> list[str]:
        return [str(Role(role).label) for role in Role.values if role in self.roles]


def get_workspace(request: HttpRequest, slug: str, *, roles: Iterable[str] | None = None) -> Workspace:
    """The workspace of platform `slug` for the signed-in person; 404 for outsiders, 403 for a role too low."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    try:
        platform = Platform.objects.select_related("prefecture", "municipality").get(slug=slug)
    except Platform.DoesNotExist:
        raise Http404 from None
    held = frozenset(Membership.objects.roles_of(user, platform))
    if not held and not user.is_superuser:
        raise Http404
    workspace = Workspace(platform=platform, roles=held, is_superuser=user.is_superuser)
    if roles is not None and not workspace.has_role(*roles):
        raise PermissionDenied
    return workspace


def workspace_view(
    *, roles: Iterable[str] | None = None
) -> Callable[[Callable[Concatenate[HttpRequest, Workspace, P], HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Decorate a workspace view `view(request, workspace, **kwargs)` reached at /<platform_slug>/workspace/….

    The view runs inside the platform's own tenant scope (without the national open data: the
    workspace changes only the platform's own rows), so render before returning.
    """
    allowed = frozenset(roles) if roles is not None else None

    def decorator(
        view: Callable[Concatenate[HttpRequest, Workspace, P], HttpResponseBase],
    ) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapper(request: HttpRequest, platform_slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            workspace = get_workspace(request, platform_slug, roles=allowed)
            request.workspace = workspace  # type: ignore[attr-defined]
            with platform_scope(workspace.platform, with_national=False):
                return view(request, workspace, *args, **kwargs)

        return wrapper

    return decorator
