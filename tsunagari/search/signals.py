"""Keep the search index in step with directory edits made one row at a time (admin, workspace).

Saves collect the affected service ids and reindex them once, after the transaction commits, so
an edit that touches a service and ten of its rows costs one reindex. Bulk writers (the importer)
bypass signals and call tsunagari.search.index.reindex_services themselves. Editing a taxonomy
term's label is not followed here (every `migrate` rewrites the terms): run `reindex` after it.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from tsunagari.directory.models import (
    Channel,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceProgram,
    SupportProgram,
)
from tsunagari.directory.signals import services_imported
from tsunagari.tenancy.scoping import scopes_disabled

from .index import reindex_services
from .pending import forget_pending, pending_ids

logger = logging.getLogger(__name__)


def queue_reindex(service_ids: list[uuid.UUID]) -> None:
    """Reindex these services once the current transaction commits (at once outside one)."""
    if not service_ids:
        return
    pending_ids().update(service_ids)
    # One callback per call, but the first to run takes every pending id and the rest find none.
    # (Batching in a callback registered once would lose ids when a savepoint rolls back.)
    transaction.on_commit(_flush, robust=True)


def _flush() -> None:
    pending = pending_ids()
    if not pending:
        return
    ids = set(pending)
    pending.clear()
    try:
        reindex_services(ids)
    except Exception:
        # The edit itself is committed; a failed reindex must not turn it into an error page.
        logger.exception("Search reindex failed for %d services; run `python -m tsunagari reindex`.", len(ids))


def _services_imported(sender: Any, service_ids: list[uuid.UUID], **kwargs: Any) -> None:
    """After an import has committed (it bypasses model signals): reindex what it changed, now."""
    forget_pending(service_ids)
    try:
        reindex_services(service_ids)
    except Exception:
        # The import itself is committed; an index that lags is fixed by `reindex`, not by failing.
        logger.exception("Search reindex after import failed; run `python -m tsunagari reindex`.")


def _service_changed(sender: Any, instance: Service, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        queue_reindex([instance.pk])


def _child_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw and instance.service_id:
        queue_reindex([instance.service_id])


def _organization_changed(sender: Any, instance: Organization, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    with scopes_disabled():
        queue_reindex(list(Service.objects.filter(organization=instance).values_list("pk", flat=True)))


def _location_changed(sender: Any, instance: Location, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    with scopes_disabled():
        ids = ServiceAtLocation.objects.filter(location=instance).values_list("service_id", flat=True)
        queue_reindex(list(ids))


def _program_changed(sender: Any, instance: SupportProgram, raw: bool = False, **kwargs: Any) -> None:
    """A programme's name is searched on the windows that handle it."""
    if raw:
        return
    with scopes_disabled():
        queue_reindex(list(ServiceProgram.objects.filter(program=instance).values_list("service_id", flat=True)))


def _terms_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[Any] | None, **kwargs: Any
) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        queue_reindex([instance.pk])
    elif pk_set:
        queue_reindex([uuid.UUID(str(pk)) for pk in pk_set])


post_save.connect(_service_changed, sender=Service, dispatch_uid="search-service-save")
for _model in (Channel, Schedule, ServiceArea, ServiceAtLocation, ServiceProgram):
    post_save.connect(_child_changed, sender=_model, dispatch_uid=f"search-{_model.__name__}-save")
    post_delete.connect(_child_changed, sender=_model, dispatch_uid=f"search-{_model.__name__}-delete")
post_save.connect(_organization_changed, sender=Organization, dispatch_uid="search-organization-save")
post_save.connect(_location_changed, sender=Location, dispatch_uid="search-location-save")
post_save.connect(_program_changed, sender=SupportProgram, dispatch_uid="search-program-save")
services_imported.connect(_services_imported, dispatch_uid="search-services-imported")
m2m_changed.connect(_terms_changed, sender=Service.terms.through, dispatch_uid="search-terms")
