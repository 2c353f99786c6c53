"""Keep the taxonomies present after every migrate, and the API cache fresh after every write."""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.dispatch import Signal, receiver

DIRECTORY_VERSION_KEY = "directory-version"

# Sent once a bulk write (an import) has committed, with `service_ids` (the services it changed).
# Bulk writes send no model signals; the apps that keep derived data (the search index) listen here,
# so that the directory never imports them.
services_imported = Signal()


def _fresh_version() -> int:
    # Should the shared counter be lost (evicted, culled, cache cleared), it restarts from the clock,
    # never from a number that pages cached in a process's memory may still carry.
    return time.time_ns() // 1000


def directory_version() -> int:
    """A counter that changes whenever the directory changes; part of every cached page's key.

    It lives in the shared "default" cache, so a write in one process is seen by every process.
    """
    version = cache.get(DIRECTORY_VERSION_KEY)
    if version is None:
        cache.add(DIRECTORY_VERSION_KEY, _fresh_version(), timeout=None)
        version = cache.get(DIRECTORY_VERSION_KEY) or _fresh_version()
    return int(version)


def bump_directory_version(**_kwargs: Any) -> None:
    try:
        cache.incr(DIRECTORY_VERSION_KEY)
    except ValueError:
        cache.add(DIRECTORY_VERSION_KEY, _fresh_version(), timeout=None)


@receiver(post_migrate)
def create_taxonomies(sender: Any, **kwargs: Any) -> None:
    if getattr(sender, "name", "") != "tsunagari.directory":
        return
    from .taxonomy import ensure_taxonomies

    ensure_taxonomies()


def connect_cache_invalidation() -> None:
    from . import models

    for model in (
        models.Organization,
        models.Service,
        models.Location,
        models.ServiceAtLocation,
        models.Channel,
        models.Schedule,
        models.ServiceArea,
        models.CrisisLine,
        models.TaxonomyTerm,
    ):
        post_save.connect(bump_directory_version, sender=model, dispatch_uid=f"bump-{model.__name__}-save")
        post_delete.connect(bump_directory_version, sender=model, dispatch_uid=f"bump-{model.__name__}-delete")
    m2m_changed.connect(bump_directory_version, sender=models.Service.terms.through, dispatch_uid="bump-terms")


def touch_parent_service(sender: Any, instance: Any, **_kwargs: Any) -> None:
    """A change to a service's channels, schedules or areas is a change to the service (modified_after)."""
    from django.utils import timezone

    from . import models

    # The row is the instance's own parent, so no tenant filter is needed here.
    models.Service.objects.with_scopes_disabled().filter(pk=instance.service_id).update(modified_at=timezone.now())


def connect_parent_touch() -> None:
    from . import models

    for model in (models.Channel, models.Schedule, models.ServiceArea, models.ServiceAtLocation):
        post_save.connect(touch_parent_service, sender=model, dispatch_uid=f"touch-{model.__name__}-save")
        post_delete.connect(touch_parent_service, sender=model, dispatch_uid=f"touch-{model.__name__}-delete")


connect_cache_invalidation()
connect_parent_touch()
