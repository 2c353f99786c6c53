"""Named actions on the know-how library: write, change, delete an entry.

Each is atomic, writes its audit record and keeps the entry's search document in step (in the same
transaction, so the index can never disagree with what was saved).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tsunagari.audit.log import record
from tsunagari.tenancy.models import Platform

from .models import Entry
from .search import index_entry

FIELDS = ("kind", "title", "body", "cautions", "needs", "targets", "collaborations", "scope", "published")


def create_entry(platform: Platform, *, author: Any, **fields: Any) -> Entry:
    with transaction.atomic():
        entry = Entry(platform=platform, author=author, **{k: v for k, v in fields.items() if k in FIELDS})
        entry.save()
        index_entry(entry)
        record(
            "knowhow.created",
            actor=author,
            platform=platform,
            obj=entry,
            changes={"scope": entry.scope, "published": entry.published},
        )
    return entry


def update_entry(entry: Entry, *, actor: Any, **fields: Any) -> Entry:
    with transaction.atomic():
        # Compare with the stored row: a ModelForm may already have changed the instance in memory.
        stored = Entry.objects.select_for_update().get(pk=entry.pk)
        changes: dict[str, Any] = {}
        for key, value in fields.items():
            if key in FIELDS and getattr(stored, key) != value:
                before = getattr(stored, key)
                changes[key] = "changed" if key in ("body", "cautions") else [before, value]
                setattr(stored, key, value)
        stored.save()
        index_entry(stored)
        record("knowhow.changed", actor=actor, platform=stored.platform, obj=stored, changes=changes)
    return stored


def delete_entry(entry: Entry, *, actor: Any) -> None:
    with transaction.atomic():
        record("knowhow.deleted", actor=actor, platform=entry.platform, obj=entry)
        entry.delete()
