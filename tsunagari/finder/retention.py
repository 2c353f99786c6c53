"""How long the chat keeps what it keeps: conversations until they expire, saved texts for a set time.

`purge-chat` (cron, daily) calls `purge`. Both deletions are idempotent; a run that comes late or
twice does no harm. Saved texts purged leave an audit record per platform (a count, never words).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tsunagari.audit.log import record
from tsunagari.tenancy.models import Platform

from .models import Conversation, SavedText

__all__ = ["Purged", "purge", "saved_text_cutoff"]


@dataclass(frozen=True)
class Purged:
    conversations: int
    saved_texts: int


def saved_text_cutoff(now: datetime.datetime | None = None, *, days: int | None = None) -> datetime.datetime:
    """Saved texts made before this moment are past their retention period."""
    days = settings.SAVED_TEXT_RETENTION_DAYS if days is None else days
    return (now or timezone.now()) - datetime.timedelta(days=days)


def purge(*, days: int | None = None, now: datetime.datetime | None = None) -> Purged:
    """Delete expired conversations and the saved texts older than `days` (SAVED_TEXT_RETENTION_DAYS)."""
    now = now or timezone.now()
    conversations, _by_model = Conversation.objects.expired(now).delete()
    cutoff = saved_text_cutoff(now, days=days)
    texts = 0
    for platform in Platform.objects.filter(pk__in=SavedText.objects.filter(created_at__lt=cutoff).values("platform")):
        with transaction.atomic():
            deleted, _by_model = SavedText.objects.filter(platform=platform, created_at__lt=cutoff).delete()
            record(
                "finder.saved_texts_purged",
                platform=platform,
                changes={"texts": deleted, "retention_days": (now - cutoff).days},
                object_type="finder.savedtext",
            )
        texts += deleted
    return Purged(conversations=conversations, saved_texts=texts)
