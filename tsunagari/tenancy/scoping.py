"""Tenant scoping: every platform-owned row is read inside `scope(platform=[...])`.

Queries on scoped models outside a scope raise django_scopes.ScopeError, so a forgotten tenant
filter fails loudly instead of leaking. Leaving the scope is explicit: `scopes_disabled()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.db import models
from django_scopes import ScopedManager, scope, scopes_disabled

if TYPE_CHECKING:
    from .models import Platform

__all__ = ["PlatformScopedManager", "platform_scope", "scope", "scopes_disabled"]


def PlatformScopedManager(  # noqa: N802 - mirrors django_scopes.ScopedManager
    queryset_class: type[models.QuerySet[Any]] = models.QuerySet,
) -> Any:
    """The default manager of every platform-owned model."""
    return ScopedManager(platform="platform", _manager_class=models.Manager.from_queryset(queryset_class))


@contextmanager
def platform_scope(platform: Platform, *, with_national: bool = True) -> Iterator[None]:
    """Read as `platform` does: its own rows, plus the national open data unless told otherwise."""
    ids = platform.scope_ids() if with_national else [platform.pk]
    with scope(platform=ids):
        yield
