"""Finding where a resident is from their words: a postal code or a municipality name.

Only finds and normalises what is written; turning it into a municipality code (and choosing
between the two 府中市) is the ranking's job, which has the database. Names come from the
project's copy of the くらし支援ナビ area list (`data/kurashi-navi/`), read once.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

__all__ = ["AREAS_DIR", "Place", "find_place"]

AREAS_DIR = Path(__file__).resolve().parents[2] / "data" / "kurashi-navi"

PlaceKind = Literal["postal_code", "municipality", "prefecture"]

# Text is NFKC-normalised before it gets here, so full-width digits and hyphens are already ASCII;
# the long-vowel mark and dashes remain because people type 〒100ー0001 on phones.
_DASH = r"\-‐‑–—―−ー"
# A bare 7-digit number is too often something else (an amount, an ID); require 〒, 郵便番号 or
# the 3-4 shape, and refuse digits or dashes on either side so phone numbers are not read as codes.
_POSTAL = re.compile(
    rf"(?:〒\s*|郵便番号\s*[:：]?\s*)(?P<a>\d{{3}})[{_DASH}]?(?P<b>\d{{4}})(?![\d{_DASH}])"
    rf"|(?<![\d{_DASH}])(?P<c>\d{{3}})[{_DASH}](?P<d>\d{{4}})(?![\d{_DASH}])"
)
# A city or prefecture written without its suffix (横浜に住んでいる, 大阪在住) counts only when the
# words around it say it is where the person lives; alone, 横浜 or 京都 is too often something else.
_LIVES_THERE = re.compile(r"(?:市内|県内|府内|都内)?(?:在住|に住|住まい|で暮ら|で一人暮らし|に引っ越|から来)")
_SUFFIXES = ("都", "道", "府", "県", "市")


@dataclass(frozen=True)
class Place:
    """A place named in the text, as written, for the ranking to resolve."""

    raw: str
    kind: PlaceKind
    start: int
    end: int
    # Seven digits without a hyphen, for kind == "postal_code".
    postal_code: str | None = None
    # A prefecture named elsewhere in the same text: tells 府中市 (東京都) from 府中市 (広島県).
    prefecture: str | None = None


@dataclass(frozen=True)
class _Names:
    full: dict[str, PlaceKind]
    stems: dict[str, PlaceKind]
    # For each first character, the lengths of the names that start with it, longest first.
    lengths: dict[str, tuple[int, ...]]


@cache
def _names(folder: Path = AREAS_DIR) -> _Names:
    full: dict[str, PlaceKind] = {}
    sources: tuple[tuple[str, PlaceKind], ...] = (
        ("prefectures.csv", "prefecture"),
        ("nationwide-municipalities.csv", "municipality"),
    )
    for filename, kind in sources:
        path = folder / filename
        if not path.exists():
            # Without the area list only postal codes are found; the finder still works.
            continue
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                if row.get("lifecycleStatus", "current") == "current" and row["name"]:
                    full.setdefault(row["name"], kind)
    stems: dict[str, PlaceKind] = {}
    for name, kind in full.items():
        if name.endswith(_SUFFIXES) and name != "北海道" and len(name) >= 3:
            stems.setdefault(name[:-1], kind)
    lengths: dict[str, set[int]] = {}
    for name in (*full, *stems):
        lengths.setdefault(name[0], set()).add(len(name))
    return _Names(
        full=full, stems=stems, lengths={char: tuple(sorted(ls, reverse=True)) for char, ls in lengths.items()}
    )


def find_place(text: str) -> Place | None:
    """The most precise place in an NFKC-normalised text: a postal code, else a municipality, else a prefecture."""
    postal = _POSTAL.search(text)
    names = _names()
    found: list[Place] = []
    i = 0
    while i < len(text):
        match = _name_at(text, i, names) if text[i] in names.lengths else None
        if match is None:
            i += 1
            continue
        found.append(match)
        i = match.end
    prefecture = next((place.raw for place in found if place.kind == "prefecture"), None)
    if postal:
        digits = (postal["a"] or postal["c"]) + (postal["b"] or postal["d"])
        return Place(
            raw=postal.group(0).strip(),
            kind="postal_code",
            start=postal.start(),
            end=postal.end(),
            postal_code=digits,
            prefecture=prefecture,
        )
    municipalities = [place for place in found if place.kind == "municipality"]
    if municipalities:
        first = last = municipalities[0]
        # 札幌市中央区: a ward written right after its city is the more precise place; keep both.
        for following in municipalities[1:]:
            if following.start != last.end:
                break
            last = following
        return Place(
            raw=text[first.start : last.end],
            kind="municipality",
            start=first.start,
            end=last.end,
            prefecture=prefecture,
        )
    return found[0] if found else None


def _name_at(text: str, i: int, names: _Names) -> Place | None:
    # Longest first, so 京都市 wins over 京都府's stem and 鹿児島市 over 鹿児島県's.
    for length in names.lengths.get(text[i], ()):
        if length < 2 or i + length > len(text):
            continue
        candidate = text[i : i + length]
        kind = names.full.get(candidate)
        if kind is not None:
            return Place(raw=candidate, kind=kind, start=i, end=i + length)
        kind = names.stems.get(candidate)
        if kind is not None and _LIVES_THERE.match(text, i + length):
            return Place(raw=candidate, kind=kind, start=i, end=i + length)
    return None
