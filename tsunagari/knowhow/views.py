"""Know-how library pages of the workspace: search, read, write."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagari.accounts.models import User
from tsunagari.lib.fiscal import fiscal_year_bounds, fiscal_year_param
from tsunagari.workspace.access import WRITERS, Workspace, workspace_view
from tsunagari.workspace.nav import menu

from . import actions
from .access import get_changeable_entry, get_entry
from .forms import EntryForm, SearchForm
from .models import Entry
from .search import search_entries

PAGE_SIZE = 20


def _render(
    request: HttpRequest, workspace: Workspace, template: str, status: int = 200, **context: Any
) -> HttpResponse:
    context = {"workspace": workspace, "platform": workspace.platform, "menu": menu(workspace), **context}
    return render(request, template, context, status=status)


@workspace_view()
def library(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """Search this platform's entries and those every platform shared; drafts apart."""
    year = fiscal_year_param(request.GET.get("year"))
    if year is not None:
        # The programme report's link: this platform's entries published and written in that fiscal year.
        start, end = fiscal_year_bounds(year)
        written = Entry.objects.filter(
            platform=workspace.platform, published=True, created_at__gte=start, created_at__lt=end
        ).order_by("created_at")
        return _render(request, workspace, "knowhow/library_year.html", year=year, entries=written)
    form = SearchForm(request.GET or None)
    page = request.GET.get("page", "1")
    results = search_entries(
        platform=workspace.platform,
        page=int(page) if page.isdigit() else 1,
        per_page=PAGE_SIZE,
        **(form.search_kwargs() if form.is_bound else {}),
    )
    drafts = Entry.objects.filter(platform=workspace.platform, published=False)
    if not workspace.is_coordinator:
        drafts = drafts.filter(author=cast(User, request.user))
    query = request.GET.copy()
    query.pop("page", None)
    return _render(
        request,
        workspace,
        "knowhow/library.html",
        form=form,
        results=results,
        drafts=drafts.select_related("author"),
        query=query.urlencode(),
    )


@workspace_view(roles=WRITERS)
def entry_new(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    form = EntryForm(request.POST or None, is_coordinator=workspace.is_coordinator)
    if request.method == "POST" and form.is_valid():
        entry = actions.create_entry(workspace.platform, author=request.user, **form.cleaned_data)
        messages.success(request, _("The entry is saved."))
        return redirect("workspace:knowhow-entry", workspace.platform.slug, entry.pk)
    return _render(request, workspace, "knowhow/entry_form.html", status=400 if form.is_bound else 200, form=form)


@workspace_view()
def entry_detail(request: HttpRequest, workspace: Workspace, entry_id: int) -> HttpResponse:
    entry = get_entry(request, workspace, entry_id)
    own = entry.platform_id == workspace.platform.pk
    can_change = own and not workspace.is_read_only and (workspace.is_coordinator or entry.author_id == request.user.pk)
    return _render(request, workspace, "knowhow/entry_detail.html", entry=entry, own=own, can_change=can_change)


@workspace_view(roles=WRITERS)
def entry_edit(request: HttpRequest, workspace: Workspace, entry_id: int) -> HttpResponse:
    entry = get_changeable_entry(request, workspace, entry_id)
    form = EntryForm(request.POST or None, instance=entry, is_coordinator=workspace.is_coordinator)
    if request.method == "POST" and form.is_valid():
        actions.update_entry(entry, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The entry is saved."))
        return redirect("workspace:knowhow-entry", workspace.platform.slug, entry.pk)
    return _render(
        request,
        workspace,
        "knowhow/entry_form.html",
        status=400 if form.is_bound else 200,
        form=form,
        entry=entry,
    )


@require_POST
@workspace_view(roles=WRITERS)
def entry_delete(request: HttpRequest, workspace: Workspace, entry_id: int) -> HttpResponse:
    entry = get_changeable_entry(request, workspace, entry_id)
    actions.delete_entry(entry, actor=request.user)
    messages.success(request, _("The entry is deleted."))
    return redirect("workspace:knowhow", workspace.platform.slug)
