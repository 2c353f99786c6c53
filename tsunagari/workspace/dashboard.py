"""The workspace's first page: "what needs me now" and this month's activity, from providers.

The workspace knows nothing of the apps built on it, so each app registers providers from its
AppConfig.ready():

    from tsunagari.workspace.dashboard import register_activity, register_todo
    register_todo(my_todos)          # my_todos(request, workspace) -> list[Todo]
    register_activity(my_figures)    # my_figures(request, workspace, since) -> list[Figure]

A provider runs inside the platform's scope, checks the person's roles itself (return [] for a
role that may not see the rows) and returns rows with a count of zero too: the page leaves them
out, so a provider never has to. Each should cost one or two COUNT queries.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise

from .access import Workspace


@dataclass(frozen=True)
class Todo:
    """Something waiting for this person: how many, and the page where they deal with it."""

    label: str | Promise
    count: int
    url: str
    # Lower first: a resident's problem before a stale listing.
    order: int = 50
    # Shown highlighted: someone may be in danger or a deadline has passed.
    urgent: bool = False


@dataclass(frozen=True)
class Figure:
    """One number of this month's activity on the platform."""

    label: str | Promise
    value: int
    order: int = 50


TodoProvider = Callable[[HttpRequest, Workspace], list[Todo]]
ActivityProvider = Callable[[HttpRequest, Workspace, datetime.datetime], list[Figure]]

TODO_PROVIDERS: list[TodoProvider] = []
ACTIVITY_PROVIDERS: list[ActivityProvider] = []


def register_todo(provider: TodoProvider) -> TodoProvider:
    if provider not in TODO_PROVIDERS:
        TODO_PROVIDERS.append(provider)
    return provider


def register_activity(provider: ActivityProvider) -> ActivityProvider:
    if provider not in ACTIVITY_PROVIDERS:
        ACTIVITY_PROVIDERS.append(provider)
    return provider


def month_start(now: datetime.datetime | None = None) -> datetime.datetime:
    """Midnight of the first day of this month, Japan time."""
    local = timezone.localtime(now or timezone.now())
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def todos(request: HttpRequest, workspace: Workspace) -> list[Todo]:
    rows = [row for provider in TODO_PROVIDERS for row in provider(request, workspace) if row.count]
    return sorted(rows, key=lambda row: row.order)


def activity(request: HttpRequest, workspace: Workspace) -> list[Figure]:
    since = month_start()
    rows = [row for provider in ACTIVITY_PROVIDERS for row in provider(request, workspace, since)]
    return sorted(rows, key=lambda row: row.order)
