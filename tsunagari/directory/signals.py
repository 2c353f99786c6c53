"""Keep the taxonomies present after every migrate, and the API cache fresh after every write."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.dispatch import receiver

DIRECTORY_VERSION_KEY = "directory-version"


def directory_version() -> int:
    """A counter that changes whenever the directory changes; part of every cached API key."""
    version = cache.get(DIRECTORY_VERSION_KEY)
    if version is None:
        cache.add(DIRECTORY_VERSION_KEY, 1, timeout=None)
        version = cache.get(DIRECTORY_VERSION_KEY, 1)
    return int(version)


def bump_directory_version(**_kwargs: Any) -> None:
    try:
        cache.incr(DIRECTORY_VERSION_KEY)
    except ValueError:
        cache.add(DIRECTORY_VERSION_KEY, 2, timeout=None)


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
