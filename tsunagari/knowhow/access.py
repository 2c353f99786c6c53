"""Fetching know-how entries for a workspace.

A platform's own entries are read by its people (drafts by their author and the coordinators);
entries other platforms shared are read by everyone with a role on any platform. Anything else is
answered like an entry that does not exist.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest

from tsunagari.tenancy.scoping import scopes_disabled
from tsunagari.workspace.access import Workspace

from .models import Entry


def get_entry(request: HttpRequest, workspace: Workspace, entry_id: int) -> Entry:
    platform = workspace.platform
    # Leaving the platform scope on purpose: this is the deliberate cross-platform sharing of the
    # national programme. Only another platform's SHARED and published entries pass the filter.
    with scopes_disabled():
        entry = (
            Entry.objects.filter(Q(platform=platform) | Q(scope=Entry.Scope.SHARED, published=True), pk=entry_id)
            .select_related("platform", "author")
            .first()
        )
    if entry is None:
        raise Http404
    if not entry.published and not (workspace.is_coordinator or entry.author_id == request.user.pk):
        raise Http404
    return entry


def get_changeable_entry(request: HttpRequest, workspace: Workspace, entry_id: int) -> Entry:
    """An entry of this platform that the person may change: their own, or any for coordinators."""
    entry = get_entry(request, workspace, entry_id)
    if entry.platform_id != workspace.platform.pk:
        raise Http404
    if workspace.is_read_only or not (workspace.is_coordinator or entry.author_id == request.user.pk):
        raise PermissionDenied
    return entry
