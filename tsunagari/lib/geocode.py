"""Place Japanese addresses on the map from Geolonia 住所データ's town-level points (CC BY 4.0).

`towns.csv.gz` (the `geolonia-addresses` data set, docs/datasets.md) has one point per 大字・町丁目.
An address is matched to the longest town name that follows its municipality; the point then
stands for the whole town ("town" precision: urban 丁目 within a few hundred metres, rural 大字
possibly kilometres off). When no town matches, the municipality's office stands for the
municipality ("municipality" precision: only "somewhere in this city"), when its address is known
(`offices`, placed by the caller from the data's representative windows); else the mean of the
municipality's town points, which can fall in a mountain or a bay. Neither is a building: the map
must draw both as approximate. Coordinates typed by a person are "exact".
"""

from __future__ import annotations

import csv
import gzip
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

__all__ = ["EXACT", "MUNICIPALITY", "TOWN", "Geocoder", "Point"]

EXACT = "exact"
TOWN = "town"
MUNICIPALITY = "municipality"

_KANJI_DIGITS = "〇一二三四五六七八九"
_FIRST_NUMBER = re.compile(r"^(\D+?)(\d{1,2})(?=[-‐−ー~の番]\d)")


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float
    precision: str  # EXACT, TOWN or MUNICIPALITY
    label: str = ""  # what the point stands for: 「鎌倉市御成町」 (town) or 「鎌倉市」 (municipality)
    municipality: str = ""  # the municipality (or ward) the point is in, as the data names it


def _key(text: str) -> str:
    """Addresses and town names compared alike: NFKC, no spaces, 丁目 numbers in kanji as Geolonia writes them."""
    text = unicodedata.normalize("NFKC", text).replace(" ", "").replace("ヶ", "ケ").replace("ケ", "ケ")
    # 3丁目 → 三丁目 (Geolonia writes 丁目 in kanji numerals).
    return re.sub(r"(\d+)(?=丁目)", lambda m: _kanji_number(int(m.group(1))), text)


def _kanji_number(n: int) -> str:
    if n < 10:
        return _KANJI_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _KANJI_DIGITS[tens]) + "十" + (_KANJI_DIGITS[ones] if ones else "")


class Geocoder:
    """Town points by municipality, read once from towns.csv.gz."""

    def __init__(
        self,
        towns: dict[tuple[str, str], list[tuple[str, float, float, str]]],
        offices: dict[tuple[str, str], tuple[float, float]] | None = None,
    ) -> None:
        # (prefecture, municipality) → the point of its office, for the "municipality" fallback.
        self.offices = dict(offices or {})
        # (prefecture, municipality) → [(town key, lat, lon, town name as written)], longest town names first.
        self.towns = {area: sorted(rows, key=lambda r: -len(r[0])) for area, rows in towns.items()}
        self.centres = {
            area: (sum(r[1] for r in rows) / len(rows), sum(r[2] for r in rows) / len(rows))
            for area, rows in towns.items()
            if rows
        }

    @classmethod
    def from_file(cls, path: Path) -> Geocoder:
        towns: dict[tuple[str, str], list[tuple[str, float, float, str]]] = {}
        with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                name = _key(row["大字町丁目名"] + row["小字・通称名"])
                try:
                    point = (name, float(row["緯度"]), float(row["経度"]), row["大字町丁目名"] + row["小字・通称名"])
                except ValueError:
                    continue
                towns.setdefault((row["都道府県名"], row["市区町村名"]), []).append(point)
        return cls(towns)

    def locate(self, prefecture: str, address: str, municipality: str = "") -> Point | None:
        """The point for ``address`` in ``prefecture``; ``municipality`` helps when the address omits it.

        Designated cities are split into wards in the data (名古屋市中区): an address that names
        the ward finds its towns; one that names only the city gets the city's centre.
        """
        rest = _key(address).removeprefix(_key(prefecture))
        names = sorted((m for p, m in self.centres if p == prefecture), key=len, reverse=True)
        found = next((m for m in names if rest.startswith(_key(m))), None)
        if found is None and municipality:
            rest = _key(municipality) + rest.removeprefix(_key(municipality))
            found = next((m for m in names if rest.startswith(_key(m))), None)
        if found is not None:
            rest = rest.removeprefix(_key(found))
            # 三の丸3-1-1 is written for 三の丸三丁目1番1号: try the first number as the 丁目 too.
            chome = _FIRST_NUMBER.sub(lambda m: m.group(1) + _kanji_number(int(m.group(2))) + "丁目", rest, count=1)
            for name, lat, lon, town in self.towns[prefecture, found]:
                if name and (chome.startswith(name) or rest.startswith(name)):
                    return Point(lat, lon, TOWN, found + town, found)
            lat, lon = self.offices.get((prefecture, found)) or self.centres[prefecture, found]
            return Point(lat, lon, MUNICIPALITY, found, found)
        office = self.offices.get((prefecture, municipality)) if municipality else None
        if office is not None:
            return Point(office[0], office[1], MUNICIPALITY, municipality, municipality)
        wards = [self.centres[prefecture, m] for m in names if municipality and m.startswith(municipality)]
        if wards:
            latitude = sum(w[0] for w in wards) / len(wards)
            return Point(latitude, sum(w[1] for w in wards) / len(wards), MUNICIPALITY, municipality, municipality)
        return None

    def add_office(self, prefecture: str, address: str, municipality: str) -> Point | None:
        """Place a municipality's office from its address; its town point then stands for the municipality.

        Only a town-level match counts (an office placed at the municipality's centre says nothing
        new). Stored under the municipality the address is in and under `municipality` (a
        designated city's office is in one of its wards). Returns the point, or None.
        """
        point = self.locate(prefecture, address, municipality)
        if point is None or point.precision != TOWN:
            return None
        for name in {point.municipality, municipality} - {""}:
            self.offices.setdefault((prefecture, name), (point.latitude, point.longitude))
        return point
