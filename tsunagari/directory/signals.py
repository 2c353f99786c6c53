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


connect_cache_invalidation()
