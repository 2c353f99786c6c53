"""The 24-hour and emergency lines a portal shows: the platform's own, the national ones, and our defaults.

Three sources, merged by phone number (the first source to give a number wins):

1. the platform's own lines (a coordinator adds them in the admin, or overrides a national line by
   entering the same number);
2. the national lines in the database: our curated ones once `load-crisis-lines` has copied them
   there (to edit them in the admin), then those imported from the open data;
3. the curated national defaults in data/crisis-lines.json (Tsunagari's own records, with source
   page, publisher, hours and transcription date), so that a fresh install, or an install where
   nobody has loaded them, still shows a 24-hour suicide line and the 24-hour DV line.

See docs/safety.md for how the records were made and how a coordinator keeps them right.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.core.cache import cache as django_cache
from django.utils import timezone
from django_scopes import get_scope, scopes_disabled

from .models import CrisisLine, SourceDataset
from .signals import directory_version

__all__ = [
    "CURATED_DATASET",
    "RECHECK_MONTHS",
    "Strip",
    "add_english",
    "answers_around_the_clock",
    "crisis_lines",
    "curated_defaults",
    "due_for_check",
    "load_curated",
    "merge_lines",
    "strip",
]

CURATED_FILE = Path(__file__).resolve().parent / "data" / "crisis-lines.json"
CURATED_DATASET = "tsunagari-crisis-lines"
# A line's hours and number are re-checked at least this often (the staff page lists the late ones).
RECHECK_MONTHS = 6
_DIGITS = re.compile(r"[^0-9#]")
ENGLISH_FIELDS = ("label_en", "short_label_en", "availability_en", "cost_en")


@cache
def _curated_file() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CURATED_FILE.read_text(encoding="utf-8"))
    return data


def _note(record: dict[str, Any], transcribed_on: str) -> str:
    """Where the number and hours were last confirmed, for the coordinator who re-checks them."""
    checked = record.get("checked")
    if not checked:
        return (
            f"{transcribed_on} に公式ページ {record['url']} の内容として知られている情報から転記。"
            "公式ページでの再確認が必要です。"
        )
    where = "公式ページ" if checked["official"] else "公式ではないページ"
    return (
        f"{checked['on']} に{where} {checked['source']} で確認: {checked['says']}。"
        f"公式ページ {record['url']} での再確認が必要です。"
    )[:500]


def curated_defaults() -> list[CrisisLine]:
    """Our national defaults as unsaved CrisisLine rows (platform unset), in the file's order."""
    data = _curated_file()
    transcribed_on = datetime.date.fromisoformat(data["transcribed_on"])
    return [
        CrisisLine(
            source_id=record["id"],
            label=record["label"],
            short_label=record.get("short_label", ""),
            label_en=record.get("label_en", ""),
            short_label_en=record.get("short_label_en", ""),
            availability_en=record.get("availability_en", ""),
            cost_en=record.get("cost_en", ""),
            number=record["number"],
            phone_href=record["phone_href"],
            url=record["url"],
            publisher=record["publisher"],
            cost=record.get("cost", ""),
            availability=record["availability"],
            kinds=list(record["kinds"]),
            is_primary="strip" in record,
            strip_position=record.get("strip"),
            position=100 + index,
            last_verified_on=transcribed_on,
            verification_note=_note(record, data["transcribed_on"]),
        )
        for index, record in enumerate(data["lines"])
    ]


_ALWAYS = re.compile(r"^(電話は?)?24時間")


def answers_around_the_clock(line: CrisisLine) -> bool:
    """Whether the line (its phone) answers at every hour: its hours begin with 24時間."""
    return bool(_ALWAYS.match(line.availability.strip()))


def number_key(line: CrisisLine) -> str:
    """The line's number with only its digits (and #), so 0120-279-338 and 0120279338 are one line."""
    return _DIGITS.sub("", line.number) or f"label:{line.label}"


def merge_lines(
    stored: list[CrisisLine], platform_ids: list[int] | None = None, fallback: list[CrisisLine] | None = None
) -> list[CrisisLine]:
    """Stored lines merged with the curated defaults, one line per number (see the module's docstring).

    `platform_ids` are the scope's ids, the platform's own first (the others are the national one);
    `fallback` lines (unsaved) come last, for numbers no other source gives.
    """
    last = {id(line) for line in fallback or ()}
    own = set(platform_ids[:1]) if platform_ids and len(platform_ids) > 1 else set()

    def source(line: CrisisLine) -> int:
        if id(line) in last:
            return 4
        if line.platform_id in own:
            return 0
        if line.dataset_id == CURATED_DATASET:
            return 1
        if not line.is_stored:
            return 2
        return 3

    chosen: dict[str, CrisisLine] = {}
    for line in sorted([*stored, *curated_defaults(), *(fallback or ())], key=source):
        chosen.setdefault(number_key(line), line)
    for line in chosen.values():
        add_english(line)
    return sorted(chosen.values(), key=lambda line: (not line.is_primary, line.position, line.label))


def add_english(line: CrisisLine) -> None:
    """Give a line from an open data set our English texts, while its Japanese is the one we translated.

    Only in memory, for showing: the row is never saved from here. A line that has its own English keeps it.
    """
    if line.label_en:
        return
    for entry in _curated_file().get("english_for_open_data", ()):
        japanese = entry["ja"]
        if number_key(line) == _DIGITS.sub("", entry["number"]) and all(
            getattr(line, name) == text for name, text in japanese.items()
        ):
            for name in ENGLISH_FIELDS:
                setattr(line, name, entry.get(name, ""))
            return


def crisis_lines() -> list[CrisisLine]:
    """The lines for the active scope (call inside platform_scope), merged with our defaults.

    Kept in the cache per scope until the directory changes (a change to a line changes
    directory_version, as any directory write does).
    """
    platforms = get_scope().get("platform")
    if not isinstance(platforms, list):
        return merge_lines(list(CrisisLine.objects.all()))
    key = f"crisis-lines:v3:{','.join(map(str, platforms))}:{directory_version()}"
    lines = django_cache.get(key)
    if lines is None:
        lines = merge_lines(list(CrisisLine.objects.all()), platforms)
        django_cache.set(key, lines, 3600)
    return lines


@dataclass(frozen=True)
class Strip:
    """The emergency strip: a short row of call buttons, the rest behind "Other lines"."""

    row: list[CrisisLine]
    more: list[CrisisLine]


def strip(lines: list[CrisisLine]) -> Strip:
    row = sorted((line for line in lines if line.strip_position), key=lambda line: line.strip_position or 0)
    more = [line for line in lines if not line.strip_position]
    return Strip(row=row, more=more)


def due_for_check(lines: list[CrisisLine], today: datetime.date | None = None) -> list[CrisisLine]:
    """Lines never verified, or last verified more than RECHECK_MONTHS ago."""
    today = today or timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - RECHECK_MONTHS, 12)
    cutoff = datetime.date(year, month + 1, min(today.day, 28))
    return [line for line in lines if line.last_verified_on is None or line.last_verified_on < cutoff]


def load_curated(platform_id: int, *, replace: bool = False) -> tuple[int, int]:
    """Copy the curated defaults into the database under `platform_id` (the national platform).

    Rows already there are kept as a coordinator left them unless `replace`; their empty English texts are
    filled in. Returns (created, updated).
    """
    dataset, _created = SourceDataset.objects.get_or_create(
        slug=CURATED_DATASET,
        defaults={
            "name": "Tsunagari 全国の相談電話（プロジェクト独自の記録）",
            "publisher": "Tsunagari",
            "data_changed_note": _curated_file()["about"],
        },
    )
    created = updated = 0
    with scopes_disabled():
        for line in curated_defaults():
            fields = {
                name: getattr(line, name)
                for name in (
                    "label",
                    "short_label",
                    "label_en",
                    "short_label_en",
                    "availability_en",
                    "cost_en",
                    "number",
                    "phone_href",
                    "url",
                    "publisher",
                    "cost",
                    "availability",
                    "kinds",
                    "is_primary",
                    "strip_position",
                    "position",
                    "last_verified_on",
                    "verification_note",
                )
            }
            existing = CrisisLine.objects.filter(
                platform_id=platform_id, dataset=dataset, source_id=line.source_id
            ).first()
            if existing is None:
                CrisisLine.objects.create(platform_id=platform_id, dataset=dataset, source_id=line.source_id, **fields)
                created += 1
            elif replace:
                for name, value in fields.items():
                    setattr(existing, name, value)
                existing.save()
                updated += 1
            else:
                # English texts added since the row was loaded fill only what is still empty.
                missing = [name for name in ENGLISH_FIELDS if fields[name] and not getattr(existing, name)]
                for name in missing:
                    setattr(existing, name, fields[name])
                if missing:
                    existing.save(update_fields=missing)
                    updated += 1
    return created, updated
