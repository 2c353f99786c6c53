"""The case access log: every view, change, export and share of person data, hash-chained per platform.

`append` adds one row at the end of its platform's chain: it locks the platform's CaseLogHead, so
two writers never take the same place, and stores the hash of the row before it. `verify` walks a
chain and names the first row whose hash does not match (edited), whose sequence number skips
(deleted), or an end that disagrees with the head (rows cut from the end). The database refuses
UPDATE and DELETE on the table itself (triggers, migration 0005); the chain catches what someone
with the power to drop the triggers does anyway.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.tenancy.scoping import scopes_disabled

from .models import CaseLogEntry, CaseLogHead

GENESIS = "0" * 64

VIEW, CHANGE, EXPORT, SHARE = "view", "change", "export", "share"


def digest(entry: CaseLogEntry) -> str:
    """The SHA-256 of a row's content and the hash of the row before it (canonical JSON)."""
    at = entry.at.astimezone(UTC) if isinstance(entry.at, datetime) else entry.at
    content = [
        entry.platform_id,
        entry.seq,
        at.isoformat(),
        entry.actor_id,
        entry.actor_email,
        entry.organizations,
        entry.action,
        entry.url_name,
        entry.method,
        entry.path,
        entry.status,
        entry.persons,
        entry.detail,
        entry.prev_hash,
    ]
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def append(
    *,
    platform_id: int,
    action: str,
    actor: Any = None,
    organizations: Iterable[Any] = (),
    persons: Iterable[int] = (),
    url_name: str = "",
    method: str = "",
    path: str = "",
    status: int | None = None,
    detail: dict[str, Any] | None = None,
) -> CaseLogEntry:
    """Add one row at the end of the platform's chain (inside the caller's transaction, if any)."""
    with transaction.atomic():
        head = CaseLogHead.objects.select_for_update().filter(platform_id=platform_id).first()
        if head is None:
            CaseLogHead.objects.bulk_create([CaseLogHead(platform_id=platform_id)], ignore_conflicts=True)
            head = CaseLogHead.objects.select_for_update().get(platform_id=platform_id)
        authenticated = actor is not None and getattr(actor, "is_authenticated", False)
        entry = CaseLogEntry(
            platform_id=platform_id,
            seq=head.seq + 1,
            at=timezone.now(),
            actor_id=actor.pk if authenticated else None,
            actor_email=(actor.email or "") if authenticated else "",
            organizations=sorted(str(org) for org in organizations),
            action=action,
            url_name=url_name,
            method=method,
            path=path[:300],
            status=status,
            persons=sorted(set(persons)),
            detail=detail or {},
            prev_hash=head.hash,
        )
        entry.hash = digest(entry)
        entry.save()
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


def touch(request: HttpRequest, *persons: Any) -> None:
    """Note that this request shows or changes these persons' data (the case view logs them)."""
    touched: set[int] = getattr(request, "case_persons", set())
    touched.update(person if isinstance(person, int) else person.pk for person in persons)
    request.case_persons = touched  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Verdict:
    platform_id: int
    rows: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(platform_id: int, *, chunk: int = 2000) -> Verdict:
    """Recompute one platform's chain; list what does not match (empty when nothing was touched)."""
    with scopes_disabled():  # an operator's check of one platform's rows, named by its id
        return _verify(platform_id, chunk)


def _verify(platform_id: int, chunk: int) -> Verdict:
    problems: list[str] = []
    expected_prev, expected_seq, rows = GENESIS, 1, 0
    last_seq = 0
    while True:
        batch = list(CaseLogEntry.objects.filter(platform_id=platform_id, seq__gt=last_seq).order_by("seq")[:chunk])
        if not batch:
            break
        for entry in batch:
            rows += 1
            if entry.seq != expected_seq:
                problems.append(
                    _("Rows %(first)d–%(last)d are missing (deleted).") % {"first": expected_seq, "last": entry.seq - 1}
                )
            if entry.prev_hash != expected_prev:
                problems.append(_("Row %(seq)d does not follow the row before it.") % {"seq": entry.seq})
            if digest(entry) != entry.hash:
                problems.append(_("Row %(seq)d was changed after it was written.") % {"seq": entry.seq})
            expected_prev, expected_seq, last_seq = entry.hash, entry.seq + 1, entry.seq
    head = CaseLogHead.objects.filter(platform_id=platform_id).first()
    if head is not None and (head.seq != last_seq or head.hash != expected_prev):
        problems.append(
            _("The chain ends at row %(last)d, but %(written)d rows were written (rows cut from the end).")
            % {"last": last_seq, "written": head.seq}
        )
    return Verdict(platform_id=platform_id, rows=rows, problems=problems)
