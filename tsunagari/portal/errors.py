"""The 403, 404 and 500 pages: in the site's frame, in Japanese, with a way back.

On a workspace address, a person of the platform keeps the workspace menu; anyone else gets
the platform's portal (or the national page) — an outsider learns nothing a 404 would not say.
The 500 page touches neither the database nor the session: it may be what is broken.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from tsunagari.tenancy.models import Platform
from tsunagari.workspace.access import get_workspace
from tsunagari.workspace.nav import menu

MEMBERS_AREAS = ("workspace", "staff")


def _page(request: HttpRequest, status: int) -> HttpResponse:
    parts = request.path.strip("/").split("/")
    platform = Platform.objects.filter(slug=parts[0]).first() if parts[0] else None
    # The language switch goes back to the platform's home, not to this address (which may carry
    # the id of another platform's row that must not be echoed).
    home = f"/{platform.slug}/" if platform is not None else "/"
    context: dict[str, object] = {"platform": platform, "status": status, "language_next": home}
    template = "errors/page.html"
    if platform is not None and len(parts) > 1 and parts[1] in MEMBERS_AREAS and request.user.is_authenticated:
        try:
            workspace = get_workspace(request, platform.slug)
        except (Http404, PermissionDenied):
            pass
        else:
            context.update(workspace=workspace, menu=menu(workspace))
            template = "errors/workspace.html"
    return render(request, template, context, status=status)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponseServerError(loader.get_template("errors/500.html").render({"status": 500}))
