"""Finding where a resident is from their words: a postal code or a municipality name.

Only finds and normalises what is written; turning it into a municipality code (and choosing
between the two 府中市) is the ranking's job, which has the database. Names come from the
platform's reference areas (`tsunagari/tenancy/data/`: prefectures, municipalities and the wards
of designated cities), read once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from tsunagari.tenancy.reference import read_reference

__all__ = ["Place", "find_place"]

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
    # The reference name meant (北九州 written → 北九州市); empty when `raw` is already that name.
    name: str = ""

    @property
    def full_name(self) -> str:
        """The reference area's name, with its suffix (北九州市 for 北九州)."""
        return self.name or self.raw


@dataclass(frozen=True)
class _Names:
    full: dict[str, PlaceKind]
    # A name written without its suffix → (kind, the full name).
    stems: dict[str, tuple[PlaceKind, str]]
    # For each first character, the lengths of the names that start with it, longest first.
    lengths: dict[str, tuple[int, ...]]


@cache
def _names() -> _Names:
    full: dict[str, PlaceKind] = {}
    prefectures, municipalities = read_reference()
    for prefecture in prefectures:
        full.setdefault(prefecture.name, "prefecture")
    for municipality in municipalities:  # the wards of designated cities too (中区, 北区 …)
        full.setdefault(municipality.name, "municipality")
    stems: dict[str, tuple[PlaceKind, str]] = {}
    for name, kind in full.items():
        if name.endswith(_SUFFIXES) and name != "北海道" and len(name) >= 3:
            stems.setdefault(name[:-1], (kind, name))
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
            # The city's own name is the municipality (its wards are not municipalities of their own).
            name=first.full_name if last is not first else first.name,
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
        stem = names.stems.get(candidate)
        if stem is not None and _LIVES_THERE.match(text, i + length):
            return Place(raw=candidate, kind=stem[0], start=i, end=i + length, name=stem[1])
    return None
