"""The Django admin site, with every deletion and every admin action in the audit log.

`signals.on_admin_log_entry` mirrors the admin's LogEntry rows, but Django writes the entries of
"delete selected" in one bulk_create when several rows go, which sends no signal; and an admin
action (allauth's "mark as verified", axes' "clean up attempts", any added later) changes rows
without a LogEntry at all. `AuditedAdminMixin` records both. The site mixes it into every
ModelAdmin registered with it — ours, the finder's, third-party apps' — so that no admin can
forget it. Installed as the default admin site by `admin_app.AuditedAdminConfig` (INSTALLED_APPS).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from .log import record
from .signals import admin_entries_recorded_here, record_admin_entry

DELETE_SELECTED = "delete_selected"
# At most this many ids in one action's record; the count is always exact.
MAX_IDS = 200


def _platform_id(obj: models.Model) -> int | None:
    from tsunagari.tenancy.models import Platform

    if isinstance(obj, Platform):
        return obj.pk
    return getattr(obj, "platform_id", None)


class AuditedAdminMixin:
    """Records deletions one by one (also those Django logs in bulk) and every admin action run."""

    def log_deletions(self, request: HttpRequest, queryset: Iterable[models.Model]) -> Any:
        objects = list(queryset)
        # The signal handler leaves these entries to us, whether Django saves them one by one or in
        # bulk; the rows still exist here, so each record gets its row's platform.
        with admin_entries_recorded_here():
            entries = super().log_deletions(request, objects)  # type: ignore[misc]
        for entry, obj in zip(entries, objects, strict=True):
            record_admin_entry(entry, obj)
        return entries

    def get_actions(self, request: HttpRequest) -> dict[str, tuple[Callable[..., Any], str, str]]:
        actions = super().get_actions(request)  # type: ignore[misc]
        return {
            name: (func if name == DELETE_SELECTED else _audited_action(func, name), name, description)
            for name, (func, _name, description) in actions.items()
        }


def _audited_action(func: Callable[..., Any], name: str) -> Callable[..., Any]:
    """`func` (an admin action), recording which rows it ran on, one record per platform."""

    @functools.wraps(func)
    def run(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: models.QuerySet[Any]) -> Any:
        by_platform: dict[int | None, list[models.Model]] = defaultdict(list)
        for obj in queryset:
            by_platform[_platform_id(obj)].append(obj)
        response = func(modeladmin, request, queryset)
        from tsunagari.tenancy.models import Platform

        platforms = Platform.objects.in_bulk([pk for pk in by_platform if pk is not None])
        for platform_id, objects in by_platform.items():
            record(
                "admin.action",
                actor=request.user,
                request=request,
                platform=platforms.get(platform_id) if platform_id is not None else None,
                object_type=modeladmin.opts.label_lower,
                object_repr=", ".join(str(obj) for obj in objects[:3])[:200],
                changes={
                    "action": name,
                    "count": len(objects),
                    "ids": [str(obj.pk) for obj in objects[:MAX_IDS]],
                },
            )
        return response

    return run


class AuditedAdminSite(admin.AdminSite):
    """The admin site: every ModelAdmin registered here is audited (see the module's docstring)."""

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdminMixin):
            # type(admin_class), not type: ModelAdmin has its own metaclass (for its Media).
            admin_class = type(admin_class)(
                admin_class.__name__,
                (AuditedAdminMixin, admin_class),
                {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
            )
        super().register(model_or_iterable, admin_class, **options)
