"""The services waiting for a reindex in this thread, once the current transaction commits.

signals.py adds to it after single-row edits; index.py drops what an explicit reindex has just done.
Both import this module, so that neither imports the other the wrong way round.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable

_local = threading.local()


def pending_ids() -> set[uuid.UUID]:
    pending: set[uuid.UUID] | None = getattr(_local, "pending", None)
    if pending is None:
        pending = _local.pending = set()
    return pending


def forget_pending(service_ids: Iterable[uuid.UUID] | None) -> None:
    """Drop queued reindexes that an explicit reindex has just done (all of them for None)."""
    pending = pending_ids()
    if service_ids is None:
        pending.clear()
    else:
        pending.difference_update(service_ids)
